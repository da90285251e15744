import { describe, expect, it } from 'vitest';
import { clientWithMastodon, rest, startTestApp } from '../support/app';

/*
 * Threads and first comments over REST (issue 14 item 4): the post-group routes take `thread` and
 * `firstComment`, answer them back with each delivery's `parts`, and the OpenAPI document (which
 * every answer here is checked against, test/support/app.ts) describes them.
 */
describe('threads and first comments in /api/v1/post-groups', () => {
  it('creates, reads and edits a thread, and refuses what the platforms would, in SPEC §7’s shape', async () => {
    const t = await startTestApp();
    const { client, platformId } = await clientWithMastodon(t);
    const user = { 'x-publora-user-id': client.id };
    const later = new Date(t.clock.now().getTime() + 3_600_000).toISOString();

    const created = await rest(
      t,
      'POST',
      '/api/v1/post-groups',
      {
        text: 'A thread in three parts 🧵',
        thread: [{ text: 'Part two.' }, { text: 'Part three.' }],
        platformIds: [platformId],
        scheduledTime: later,
      },
      user,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      thread: [
        { text: 'Part two.', media: [] },
        { text: 'Part three.', media: [] },
      ],
      firstComment: null,
      deliveries: [expect.objectContaining({ platformId, state: 'scheduled', parts: [] })],
    });
    const id = created.body.id as string;

    const edited = await rest(t, 'PATCH', `/api/v1/post-groups/${id}`, { thread: [{ text: 'Only one more.' }] });
    expect(edited.status).toBe(200);
    expect(edited.body.thread).toEqual([{ text: 'Only one more.', media: [] }]);
    expect((await rest(t, 'GET', `/api/v1/post-groups/${id}`)).body.thread).toEqual([
      { text: 'Only one more.', media: [] },
    ]);

    // A part over Mastodon’s 500 characters: 400, beside that part; nothing changed.
    const tooLong = await rest(t, 'PATCH', `/api/v1/post-groups/${id}`, {
      thread: [{ text: 'fine' }, { text: 'y'.repeat(501) }],
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      error: {
        code: 'validation_failed',
        message: 'Mastodon, part 3: the text is 501 characters; the limit is 500',
        details: { fields: { 'thread.1': 'Mastodon, part 3: the text is 501 characters; the limit is 500' } },
      },
    });
    expect((await rest(t, 'GET', `/api/v1/post-groups/${id}`)).body.thread).toEqual([
      { text: 'Only one more.', media: [] },
    ]);

    // A first comment where no account takes one is refused, not dropped.
    const comment = await rest(
      t,
      'POST',
      '/api/v1/post-groups',
      { text: 'Hi', firstComment: 'Link in the comments', platformIds: [platformId], scheduledTime: later },
      user,
    );
    expect(comment.status).toBe(400);
    expect(comment.body).toMatchObject({
      error: { code: 'validation_failed', details: { fields: { firstComment: expect.stringContaining('Mastodon') } } },
    });

    const malformed = await rest(
      t,
      'POST',
      '/api/v1/post-groups',
      { text: 'Hi', thread: 'two parts', platformIds: [platformId] },
      user,
    );
    expect(malformed.status).toBe(400);
    expect((malformed.body.error as { code: string }).code).toBe('validation_failed');
  });

  it('is described in the OpenAPI document', async () => {
    const t = await startTestApp({ setUp: false });
    const doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    };
    type Schema = { properties?: Record<string, Schema>; items?: Schema };
    const body = doc.paths['/api/v1/post-groups']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties!)).toEqual(expect.arrayContaining(['thread', 'firstComment', 'poll']));
    expect(Object.keys(body.properties!.thread!.items!.properties!)).toEqual(['text', 'mediaIds']);
    const patch = doc.paths['/api/v1/post-groups/{id}']!.patch!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(patch.properties!)).toEqual(expect.arrayContaining(['thread', 'firstComment']));
  });
});
