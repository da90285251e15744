import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS_FILE } from '../../src-main/engine/secrets/encrypted-file-store';
import { DeskSocket, deskJoin, deskSignIn, startHostProcess, type HostProcess } from '../support/team-host';
import { tempDir } from '../support/temp';

/** Each step starts the whole engine in a new tsx process (2–3 s of CPU each on this machine). */
const PROCESS_STARTS = 120_000;
const CLI = resolve(__dirname, '../../src-main/cli.ts');
const TSX = resolve(__dirname, '../../node_modules/.bin/tsx');

const started: HostProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => (p.child.exitCode === null ? p.stop() : undefined)));
});

describe('postroom host, the command (issue 12 item 1)', () => {
  it(
    'refuses to listen beyond loopback without TLS: exit 1, one sentence and what to do',
    () => {
      const run = spawnSync(
        TSX,
        [
          CLI,
          'host',
          '--data-dir',
          tempDir(),
          '--public-url',
          'https://postroom.agency.example',
          '--listen',
          '0.0.0.0:8443',
        ],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'postroom host will not listen on 0.0.0.0:8443 without TLS.\n' +
          'What to do: Give --tls-cert FILE --tls-key FILE, or --behind-proxy when a reverse proxy in front of it ' +
          'terminates TLS, or listen on 127.0.0.1 only.\n',
      );
    },
    PROCESS_STARTS,
  );

  it(
    'runs on TLS with its secrets sealed by its key file, survives SIGKILL, and keeps its members',
    async () => {
      const first = await startHostProcess();
      started.push(first);
      expect(first.workspaceApiKey).toMatch(/\S{20,}/);
      expect(first.ownerCode).toBeTruthy();
      const joined = await deskJoin(first.url, first.tls.ca, {
        invitationCode: first.ownerCode!,
        name: 'Olivia Owner',
        password: 'owner password 1',
      });
      expect(joined.status).toBe(200);
      // The workspace API key and the install admin key are sealed in secrets.enc, not in plain text.
      const sealed = readFileSync(join(first.dataDir, SECRETS_FILE), 'utf8');
      expect(sealed).not.toContain(first.workspaceApiKey!);
      expect(existsSync(join(first.dataDir, 'postroom.sqlite'))).toBe(true);

      await first.kill();
      const again = await first.restart();
      started.push(again);
      expect(again.output()).not.toContain('has no password yet');
      const socket = await DeskSocket.open(again.url, again.tls.ca, joined.body.sessionToken);
      expect(await socket.call('app.getState')).toMatchObject({ ok: true, data: { role: 'owner' } });
      socket.close();
      const signedIn = await deskSignIn(again.url, again.tls.ca, {
        email: 'olivia@agency.test',
        password: 'owner password 1',
      });
      expect(signedIn.status).toBe(200);
      await again.stop();
      expect(again.output()).toContain('Postroom host stopped.');
    },
    PROCESS_STARTS,
  );
});
