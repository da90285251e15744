import { describe, expect, it } from 'vitest';
import type { EventName } from '../../src-shared/contract';
import { startTestApp } from '../support/app';
import { addConnection } from '../support/posting';
import { restCall } from '../support/rest';

type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/**
 * The events (and the workspace they name) an action makes the engine announce, and how often the scheduler is
 * woken.
 */
async function heard(t: TestApp, action: () => Promise<unknown>) {
  const events: string[] = [];
  let wakes = 0;
  const stopEvents = t.app.engine.subscribe((event: EventName, payload) => {
    if (event === 'state.changed') events.push(event);
    else events.push(`${event} ${(payload as { workspaceId?: string }).workspaceId}`);
  });
  const stopWakes = t.app.engine.onPostsChanged(() => wakes++);
  try {
    await action();
  } finally {
    stopEvents();
    stopWakes();
  }
  return { events: events.sort(), wakes };
}

async function rest(t: TestApp, method: string, path: string, body?: unknown, userId?: string) {
  const headers: Record<string, string> = userId ? { 'x-publora-user-id': userId } : {};
  const answer = await restCall(t.url, method, path, { key: t.workspaceApiKey, body, headers });
  expect(answer.status, answer.text).toBeLessThan(300);
  return JSON.parse(answer.text) as Record<string, unknown>;
}

describe('what a change through the REST API announces', () => {
  it('is what the same change announces in the app: lists refresh, the scheduler looks again either way', async () => {
    const t = await startTestApp();
    const { engine } = t.app;
    const ws = t.workspaceId;
    const newClient = async (email: string) =>
      (await engine.call('client.create', { workspaceId: ws, client: { email, displayName: email } })).id;

    // A new client: the clients lists refresh, posts are untouched.
    let viaApp = '';
    let viaApi = '';
    const clientCreated = { events: [`clients.changed ${ws}`], wakes: 0 };
    expect(await heard(t, async () => (viaApp = await newClient('app@client.test')))).toEqual(clientCreated);
    const body = { email: 'script@client.test', displayName: 'A' };
    expect(
      await heard(t, async () => (viaApi = String((await rest(t, 'POST', '/api/v1/workspace/users', body)).id))),
    ).toEqual(clientCreated);

    // An edit (time zone, daily limit) changes how the client's posts are shown.
    const edited = { events: [`clients.changed ${ws}`, `posts.changed ${ws}`], wakes: 1 };
    expect(
      await heard(t, () =>
        engine.call('client.update', { workspaceId: ws, userId: viaApp, patch: { displayName: 'B' } }),
      ),
    ).toEqual(edited);
    expect(await heard(t, () => rest(t, 'PATCH', `/api/v1/workspace/users/${viaApi}`, { displayName: 'B' }))).toEqual(
      edited,
    );

    // A connection link shows on the client's page.
    const linked = { events: [`connections.changed ${ws}`], wakes: 0 };
    expect(await heard(t, () => engine.call('connection.createLink', { workspaceId: ws, userId: viaApp }))).toEqual(
      linked,
    );
    expect(await heard(t, () => rest(t, 'POST', `/api/v1/workspace/users/${viaApi}/connection-url`))).toEqual(linked);

    // A post: drafted, then cancelled.
    for (const userId of [viaApp, viaApi])
      await addConnection(engine.ctx, ws, userId, 'mastodon', `m-${userId}`, { accessToken: 't' });
    const posted = { events: [`posts.changed ${ws}`], wakes: 1 };
    let appPost = '';
    let apiPost = '';
    expect(
      await heard(t, async () => {
        const group = await engine.call('post.create', {
          workspaceId: ws,
          userId: viaApp,
          post: { text: 'Hello', platformIds: [`mastodon-m-${viaApp}`] },
        });
        appPost = group.id;
      }),
    ).toEqual(posted);
    expect(
      await heard(t, async () => {
        const group = await rest(
          t,
          'POST',
          '/api/v1/post-groups',
          { text: 'Hello', platformIds: [`mastodon-m-${viaApi}`] },
          viaApi,
        );
        apiPost = String(group.id);
      }),
    ).toEqual(posted);
    expect(await heard(t, () => engine.call('post.cancel', { workspaceId: ws, id: appPost }))).toEqual(posted);
    expect(await heard(t, () => rest(t, 'DELETE', `/api/v1/post-groups/${apiPost}`))).toEqual(posted);

    // Deactivating pauses the client's posts; deleting cancels them.
    const paused = { events: [`clients.changed ${ws}`, `posts.changed ${ws}`], wakes: 1 };
    expect(
      await heard(t, () => engine.call('client.setActive', { workspaceId: ws, userId: viaApp, active: false })),
    ).toEqual(paused);
    expect(await heard(t, () => rest(t, 'POST', `/api/v1/workspace/users/${viaApi}/deactivate`))).toEqual(paused);
    expect(await heard(t, () => engine.call('client.delete', { workspaceId: ws, userId: viaApp }))).toEqual(paused);
    expect(await heard(t, () => rest(t, 'DELETE', `/api/v1/workspace/users/${viaApi}`))).toEqual(paused);
  });

  it('announces nothing when the change is refused', async () => {
    const t = await startTestApp();
    const refused = await heard(t, () =>
      fetch(`${t.url}/api/v1/workspace/users`, {
        method: 'POST',
        headers: { 'x-publora-key': t.workspaceApiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'not an email', displayName: 'X' }),
      }),
    );
    expect(refused).toEqual({ events: [], wakes: 0 });
    const viaApp = await heard(t, () =>
      t.app.engine.dispatch('client.create', { workspaceId: t.workspaceId, client: { email: 'x', displayName: 'X' } }),
    );
    expect(viaApp).toEqual({ events: [], wakes: 0 });
  });
});
