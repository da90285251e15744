import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src-main/app';
import { backupDatabase, DATABASE_FILE } from '../../src-main/engine/db/database';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { OWNER, openTestEngine } from '../support/engine';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { tempDir } from '../support/temp';

const run = promisify(execFile);
const tsx = join('node_modules', '.bin', 'tsx');
const cli = (...args: string[]) => run(tsx, ['src-main/cli.ts', ...args], { cwd: process.cwd(), timeout: 60_000 });
const available = await keychainAvailable();
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('issue 9 item 6: the data folder is private', () => {
  it('makes the folder 0700 and the database, its WAL and SHM, and backups 0600, whatever the umask', async () => {
    const t = await openTestEngine(join(tempDir(), 'fresh'));
    await t.engine.createOwnerWithWorkspace({
      ...OWNER,
      workspace: { name: 'Acme Agency', workspaceType: 'iframe embed', planId: 'free', integrations: [] },
    });
    const backup = await backupDatabase(t.engine.ctx.db, join(t.dataDir, 'backups'), 'manual', t.clock);
    expect(modeOf(t.dataDir)).toBe('700');
    for (const suffix of ['', '-wal', '-shm']) {
      expect(existsSync(join(t.dataDir, `${DATABASE_FILE}${suffix}`))).toBe(true);
      expect(modeOf(join(t.dataDir, `${DATABASE_FILE}${suffix}`)), `${DATABASE_FILE}${suffix}`).toBe('600');
    }
    expect(modeOf(join(t.dataDir, 'backups'))).toBe('700');
    expect(modeOf(backup)).toBe('600');

    // `postroom backup --to FILE` writes a private file too.
    const to = join(tempDir(), 'copy.sqlite');
    await cli('backup', '--data-dir', t.dataDir, '--to', to);
    expect(modeOf(to)).toBe('600');
    t.engine.close();
  });

  it("tightens an older install's folder and files when it is opened", async () => {
    const dataDir = join(tempDir(), 'old');
    const first = await openTestEngine(dataDir);
    first.engine.close();
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, DATABASE_FILE), 0o644);
    mkdirSync(join(dataDir, 'backups'), { mode: 0o755 });
    writeFileSync(join(dataDir, 'backups', 'postroom-old.sqlite'), '', { mode: 0o644 });
    const again = await openTestEngine(dataDir);
    expect([modeOf(dataDir), modeOf(join(dataDir, DATABASE_FILE)), modeOf(join(dataDir, 'backups'))]).toEqual([
      '700',
      '600',
      '700',
    ]);
    expect(modeOf(join(dataDir, 'backups', 'postroom-old.sqlite'))).toBe('600');
    again.engine.close();
  });
});

describe('issue 9 item 12: one Postroom per data folder', () => {
  it('refuses a second app on the same folder with a clear message; one starts once the first stopped', async () => {
    const dataDir = tempDir();
    const first = await startApp({ dataDir, secrets: new MemorySecretStore() });
    const second = await startApp({ dataDir, secrets: new MemorySecretStore(), instance: 'the desktop app' }).catch(
      (e: unknown) => e,
    );
    expect(second).toMatchObject({ code: 'data_folder_in_use' });
    expect((second as Error).message).toContain(`Another Postroom (postroom serve, process ${process.pid}`);
    expect((second as Error).message).toContain(dataDir);
    await first.stop();
    const third = await startApp({ dataDir, secrets: new MemorySecretStore() });
    await third.stop();
  });

  describe.skipIf(!available)(`two processes (real keychain) — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
    const serve = (dataDir: string) => {
      // One process (node with tsx's loader), so a SIGKILL reaches the server itself.
      const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli.ts', 'serve', '--data-dir', dataDir], {
        cwd: process.cwd(),
      });
      children.push(child);
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const started = async () => {
        for (let i = 0; i < 600 && !out.includes('Postroom API:'); i++) {
          if (child.exitCode !== null) throw new Error(`serve exited: ${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      return { child, exited, started, output: () => out };
    };

    it('a second `serve`, and `restore`, refuse while one serves; after SIGKILL the next starts at once', async () => {
      const dataDir = tempDir();
      const first = serve(dataDir);
      await first.started();
      const second = serve(dataDir);
      expect(await second.exited).toBe(1);
      // What a person reads: the sentence, then what to do (src-main/cli-failure.ts).
      const [sentence, fix] = second.output().trim().split('\n').slice(-2);
      expect(sentence).toMatch(/^Another Postroom \(postroom serve, process \d+, since .+\) is using the data folder/);
      expect(fix).toMatch(/^What to do: Stop the other Postroom first/);

      const backup = join(tempDir(), 'b.sqlite');
      await cli('backup', '--data-dir', dataDir, '--to', backup);
      const restore = await cli('restore', '--data-dir', dataDir, '--from', backup).catch((e) => e);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toMatch(/^Another Postroom \(postroom serve, process \d+/);

      // The lock is the kernel's: it goes with the process, however that ends.
      first.child.kill('SIGKILL');
      await first.exited;
      const third = serve(dataDir);
      await third.started();
      expect(third.output()).toContain('Postroom API:');
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
      expect(readdirSync(dataDir)).toContain('postroom.lock');
    }, 120_000);
  });
});
