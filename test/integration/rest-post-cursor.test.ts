import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src-main/server/api-spec';
import { answers, restClientWithMastodon, startTestApp } from '../support/app';

describe('post groups over REST by cursor (issue 11)', () => {
  it('walks each post group once by x-next-cursor, beside seed 000 page numbers, per the OpenAPI spec', async () => {
    const t = await startTestApp();
    const headers = { 'x-publora-key': t.workspaceApiKey, 'Content-Type': 'application/json' };
    const { userId, platformId } = await restClientWithMastodon(t);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000);
      const res = await fetch(`${t.url}/api/v1/post-groups`, {
        method: 'POST',
        headers: { ...headers, 'x-publora-user-id': userId },
        body: JSON.stringify({ text: `Draft ${i}`, platformIds: [platformId] }),
      });
      expect(res.status).toBe(201);
      made.push(((await res.json()) as { id: string }).id);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await fetch(
        `${t.url}/api/v1/post-groups?perPage=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { headers: { 'x-publora-key': t.workspaceApiKey } },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-total-count')).toBe('5');
      expect(res.headers.get('x-total-count-capped')).toBeNull();
      seen.push(...((await res.json()) as { id: string }[]).map((g) => g.id));
      cursor = res.headers.get('x-next-cursor');
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    // Newest first, as page numbers have always listed them.
    expect(seen).toEqual(made.slice().reverse());
    const second = await fetch(`${t.url}/api/v1/post-groups?perPage=2&page=2`, {
      headers: { 'x-publora-key': t.workspaceApiKey },
    });
    expect(((await second.json()) as { id: string }[]).map((g) => g.id)).toEqual(made.slice().reverse().slice(2, 4));

    const forged = await fetch(`${t.url}/api/v1/post-groups?cursor=bm90IGEgY3Vyc29y`, {
      headers: { 'x-publora-key': t.workspaceApiKey },
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'validation_failed' } });

    const doc = openApiDocument('http://127.0.0.1') as {
      paths: Record<
        string,
        Record<string, { parameters: { name: string }[]; responses: Record<string, { headers?: object }> }>
      >;
    };
    const list = doc.paths['/api/v1/post-groups']!.get!;
    expect(list.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['page', 'perPage', 'cursor', 'order']));
    expect(Object.keys(list.responses['200']!.headers ?? {})).toEqual([
      'x-total-count',
      'x-total-count-capped',
      'x-next-cursor',
    ]);
    expect(answers.violations).toEqual([]);
  });
});
