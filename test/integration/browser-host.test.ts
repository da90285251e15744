import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost } from '../../src-main/server/browser-host';
import { startTestApp } from '../support/app';

async function hostFor(setUp = true) {
  const t = await startTestApp({ setUp });
  const host = await startBrowserHost(t.app, { rendererDir: null });
  const url = new URL(host.url);
  const token = url.hash.replace('#token=', '');
  return { ...t, host, port: url.port, token };
}

function open(port: string, token: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/contract?token=${encodeURIComponent(token)}`, { headers });
  const messages: unknown[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  ws.on('error', () => {});
  const refusedWith = new Promise<number>((resolve) =>
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
  );
  const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const next = async (predicate: (m: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = messages.find((m) => predicate(m as Record<string, unknown>));
      if (found) return found as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no such message');
  };
  return { ws, closed, refusedWith, opened, next };
}

describe('browser host: the contract over a WebSocket', () => {
  it('carries requests and responses, errors as data, and pushes events', async () => {
    const h = await hostFor();
    const c = open(h.port, h.token, { origin: `http://127.0.0.1:${h.port}` });
    await c.opened;
    c.ws.send(JSON.stringify({ id: 1, channel: 'app.getState', request: {} }));
    const reply = await c.next((m) => m.id === 1);
    expect(reply.result).toMatchObject({
      ok: true,
      data: { needsSetup: false, workspaces: [{ name: 'Acme Agency' }] },
    });

    c.ws.send(JSON.stringify({ id: 2, channel: 'workspace.create', request: { name: '' } }));
    expect((await c.next((m) => m.id === 2)).result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    c.ws.send(JSON.stringify({ id: 3, channel: 'workspace.create', request: { name: 'Pushed' } }));
    const event = await c.next((m) => m.event === 'state.changed');
    expect((event.payload as { workspaces: unknown[] }).workspaces).toHaveLength(2);
    c.ws.send('not json at all');
    expect((await c.next((m) => m.id === null)).result).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    c.ws.close();
    await h.host.close();
  });

  it('closes a socket that brings the wrong per-run secret', async () => {
    const h = await hostFor();
    const c = open(h.port, 'guessed-token');
    expect((await c.closed).code).toBe(4401);
    await h.host.close();
  });

  it('refuses a WebSocket from a foreign origin or a foreign Host', async () => {
    const h = await hostFor();
    const foreignOrigin = open(h.port, h.token, { origin: 'https://evil.example' });
    expect(await foreignOrigin.refusedWith).toBe(403);
    const rebinding = open(h.port, h.token, { host: `attacker.example:${h.port}` });
    expect(await rebinding.refusedWith).toBe(421);
    await h.host.close();
  });

  it('serves the renderer with a strict Content-Security-Policy', async () => {
    const t = await startTestApp();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const dir = `${t.dataDir}/renderer`;
    mkdirSync(dir);
    writeFileSync(`${dir}/index.html`, '<!doctype html><title>Postroom</title>');
    const host = await startBrowserHost(t.app, { rendererDir: dir });
    const res = await fetch(host.url.split('#')[0]!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Postroom</title>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("object-src 'none'");
    await host.close();
  });
});

describe('issue 9 item 9: the WebSocket refuses oversized and deeply nested messages unread', () => {
  it('answers a message nested 10 million levels deep as malformed without parsing it, and keeps serving', async () => {
    const h = await hostFor();
    const c = open(h.port, h.token, { origin: `http://127.0.0.1:${h.port}` });
    await c.opened;
    const depth = 10_000_000;
    c.ws.send(`{"id":7,"channel":"app.getState","request":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    c.ws.send(JSON.stringify({ id: 8, channel: 'app.getState', request: {} }));
    // Refused before it was read: not even its id is known.
    expect((await c.next((m) => m.id === null)).result).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: 'malformed contract message' },
    });
    expect((await c.next((m) => m.id === 8)).result).toMatchObject({ ok: true });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
    await h.host.close();
  });

  it('closes the socket (1009) on a message over 28 MB, larger than any legitimate one', async () => {
    const h = await hostFor();
    const c = open(h.port, h.token, { origin: `http://127.0.0.1:${h.port}` });
    await c.opened;
    c.ws.send(JSON.stringify({ id: 1, channel: 'app.getState', request: { pad: 'x'.repeat(29 * 1024 * 1024) } }));
    expect((await c.closed).code).toBe(1009);
    await h.host.close();
  });
});
