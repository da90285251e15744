import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine';
import { Scheduler } from '../../src-main/engine/posts/scheduler';
import { KeychainSecretStore } from '../../src-main/engine/secrets/keychain-store';
import { FakeClock } from '../support/engine';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { startMastodonServer } from '../support/mastodon-server';
import { setUpPosting } from '../support/posting';
import { startPrivateKeyring } from '../support/private-keyring';
import { tempDir } from '../support/temp';
import { startXServer } from '../support/x-server';
import { closeAfterTest } from '../support/closers';
import { localPlatforms } from '../support/posting-world';

/*
 * Issue 9 item 14: the keychain is locked while Postroom runs (a lock screen, `secret-tool lock`).
 * On a gnome-keyring of its own (locking the shared one would pull it from under other tests),
 * locked and unlocked through the Secret Service D-Bus API.
 */

const available = await keychainAvailable();

describe.skipIf(!available)(
  `issue 9 item 14: the keychain locked mid-run (real gnome-keyring) — skipped only when ${NO_KEYCHAIN_REASON}`,
  () => {
    it('pauses publishing with a notice while locked, resumes on unlock, writes the token nowhere else', async () => {
      const keyring = await startPrivateKeyring();
      closeAfterTest(() => keyring.close());
      const mastodon = await startMastodonServer();
      const x = await startXServer();
      closeAfterTest(
        () => mastodon.close(),
        () => x.close(),
      );
      const dataDir = tempDir();
      const clock = new FakeClock();
      const secrets = await KeychainSecretStore.open(`Postroom-lock-test-${process.pid}`);
      const engine = await Engine.open({ dataDir, secrets, clock });
      closeAfterTest(() => engine.close());
      const platforms = localPlatforms(mastodon, x);
      const token = platforms.mastodonToken;
      const setup = await setUpPosting(engine, platforms);
      const notices: boolean[] = [];
      const problems: string[] = [];
      const scheduler = new Scheduler({
        ctx: engine.ctx,
        timers: { setTimeout: () => null, clearTimeout: () => {} },
        monotonicNow: () => clock.monotonic(),
        offlineRetryMs: 30_000,
        onKeychain: (locked) => notices.push(locked),
        onProblem: (p) => problems.push(`${p.platformId}:${p.state}:${p.error}`),
      });
      closeAfterTest(() => scheduler.stop());
      const group = await engine.call('post.create', {
        workspaceId: setup.workspaceId,
        userId: setup.userId,
        post: {
          text: 'Posted once the keychain opens',
          platformIds: [setup.mastodonId],
          scheduledTime: clock.now().toISOString(),
        },
      });
      const read = () => engine.call('post.get', { workspaceId: setup.workspaceId, id: group.id });

      await keyring.lock();
      expect(await keyring.locked()).toBe(true);
      await scheduler.runDue();
      expect((await read()).deliveries[0]).toMatchObject({
        state: 'scheduled',
        attempts: 0,
        error: expect.stringContaining('Waiting for the keychain to be unlocked'),
      });
      expect(notices).toEqual([true]);
      expect(problems).toEqual([]);
      // The connection is not blamed: nobody is asked to reconnect.
      expect(
        (await engine.call('connection.list', { workspaceId: setup.workspaceId, userId: setup.userId })).find(
          (c) => c.platformId === setup.mastodonId,
        )?.status,
      ).toBe('active');
      clock.advance(30_000);
      await scheduler.runDue();
      expect(mastodon.statusTexts()).toEqual([]);

      await keyring.unlock();
      clock.advance(30_000);
      await scheduler.runDue();
      expect((await read()).status).toBe('published');
      expect(mastodon.statusTexts().map((s) => s.text)).toEqual(['Posted once the keychain opens']);
      expect(notices).toEqual([true, false]);
      // The token was never written anywhere else: not in the database, its WAL, or any file of the data folder.
      for (const file of readdirSync(dataDir)) {
        if (file === 'backups') continue;
        expect(readFileSync(join(dataDir, file)).includes(token), file).toBe(false);
      }
    });
  },
);
