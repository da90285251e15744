import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_PATHS } from '../../src-shared/team-protocol';
import { hostileBodyWith, hostileStringWith } from '../support/hostile';
import { DeskSocket, deskJoin, hostRequest, startTestHost, type TestHost } from '../support/team-host';

/*
 * Hostile input on the team host's network-facing endpoints (issue 12 item 6): sign-in, join and
 * sign-out bodies, and frames on the contract socket. Whatever arrives, the host answers in the
 * SPEC §7 shape with a 4xx (never a 500, never a stack or a secret), keeps serving, and the owner's
 * session and password still work afterwards.
 */

const hostileString = hostileStringWith('olivia@agency.test', 'OLIVIA@AGENCY.TEST', '__proto__');
const hostileBody = hostileBodyWith(
  fc.record(
    {
      email: hostileString,
      password: hostileString,
      deviceName: hostileString,
      invitationCode: hostileString,
      name: hostileString,
    },
    { requiredKeys: [] },
  ),
);

let h: TestHost;
let token: string;
beforeAll(async () => {
  // Limits high enough that the property, not the throttle, decides the answers (the throttle has its own tests).
  h = await startTestHost({
    tuning: {
      signInLimits: { perAddress: 100_000, perAccount: 100_000 },
      deskLimits: { failedAuthPerAddress: 100_000, callsPerSession: 100_000 },
    },
  });
  const joined = await deskJoin(h.url, h.tls.ca, {
    invitationCode: h.ownerCode,
    name: 'Olivia Owner',
    password: 'owner password 1',
  });
  token = joined.body.sessionToken;
});
afterAll(async () => {
  await h?.stop();
});

/** Any generated value as request text: JSON where it has one, else empty (a body that says nothing). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

function isErrorShape(body: unknown): boolean {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

describe('team host fuzz (issue 12 item 6)', () => {
  it('sign-in, join and sign-out answer any body with a SPEC §7 error and a 4xx, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(DESK_PATHS.signIn, DESK_PATHS.join, DESK_PATHS.signOut),
        hostileBody,
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        fc.constantFrom('none', 'garbage', 'bearer-garbage'),
        async (path, body, contentType, auth) => {
          const headers: Record<string, string> = { 'content-type': contentType };
          if (auth === 'garbage') headers.authorization = 'nope';
          if (auth === 'bearer-garbage') headers.authorization = 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
          const rawBody = textOf(body);
          const answer = await hostRequest(`${h.url}${path}`, h.tls.ca, { method: 'POST', headers, rawBody });
          expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
          expect(answer.status, answer.text).toBeLessThan(500);
          expect(isErrorShape(answer.body), answer.text).toBe(true);
          expect(answer.text).not.toContain('owner password 1');
          expect(answer.text).not.toMatch(/\bat .+\.ts:\d+/);
        },
      ),
      { numRuns: 150 },
    );
    const again = await hostRequest(`${h.url}${DESK_PATHS.signIn}`, h.tls.ca, {
      body: { email: 'olivia@agency.test', password: 'owner password 1', deviceName: 'After the fuzz' },
    });
    expect(again.status).toBe(200);
  });

  it('the contract socket answers any frame with an error or a result, and keeps serving', async () => {
    const socket = await DeskSocket.open(h.url, h.tls.ca, token);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.constantFrom('app.getState', 'client.create', 'post.create', 'session.signIn', 'nope'),
            hostileString,
          ),
          hostileBody,
          fc.option(fc.oneof(fc.uuid(), hostileString), { nil: undefined }),
          async (channel, request, key) => {
            const answer = (await socket.call(channel, request, key)) as { ok: boolean; error?: unknown };
            expect(typeof answer.ok).toBe('boolean');
            if (!answer.ok) expect(isErrorShape({ error: answer.error })).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
      // Frames that are not even calls.
      for (const raw of ['', 'null', '[]', '{"id":-1}', '{'.repeat(200), JSON.stringify({ id: 1, channel: 5 })])
        socket.socket.send(raw);
      expect(socket.closed).toBeNull();
      expect(await socket.call('app.getState')).toMatchObject({ ok: true, data: { role: 'owner' } });
    } finally {
      socket.close();
    }
  });
});
