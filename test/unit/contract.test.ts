import { describe, expect, it } from 'vitest';
import { channels } from '../../src-shared/contract';
import { ErrorBody } from '../../src-shared/errors';
import { openTestEngine } from '../support/engine';

describe('the contract boundary', () => {
  it('answers an unknown channel with not_found, as data', async () => {
    const { engine } = await openTestEngine();
    const result = await engine.dispatch('db.dropEverything', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses a wrongly typed request with validation_failed and per-field details', async () => {
    const { engine } = await openTestEngine();
    const result = await engine.dispatch('app.setup', {
      ownerName: 42,
      ownerEmail: 'not-an-email',
      workspace: { name: 'A' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(ErrorBody.safeParse({ error: result.error }).success).toBe(true);
    expect(result.error.details).toMatchObject({
      fields: { ownerName: expect.any(String), ownerEmail: 'Enter your email address, such as name@example.com.' },
    });
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const { engine } = await openTestEngine();
    const result = await engine.dispatch('app.getState', { sneaky: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('never rejects, whatever arrives on any channel', async () => {
    const { engine } = await openTestEngine();
    const hostile = [
      null,
      undefined,
      0,
      'x',
      [],
      { __proto__: { polluted: true } },
      { workspaceId: 'x'.repeat(10_000) },
    ];
    for (const channel of Object.keys(channels)) {
      for (const request of hostile) {
        const result = await engine.dispatch(channel, request);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(ErrorBody.safeParse({ error: result.error }).success).toBe(true);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('asks for setup before anything that needs a signed-in member', async () => {
    const { engine } = await openTestEngine();
    expect(await engine.dispatch('workspace.create', { name: 'Early' })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
  });
});
