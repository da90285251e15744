import { execFile } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { startApp } from '../../src-main/app';
import {
  DATABASE_FILE,
  openDatabase,
  openDatabaseCheckingInBackground,
  takeAutomaticBackupIfDue,
} from '../../src-main/engine/db/database';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import { startAppOrRecovery } from '../../src-main/recovery-app';
import { FakeClock, OWNER } from '../support/engine';
import { tempDir } from '../support/temp';

/*
 * Issue 9 item 11: automatic backups (daily, seven kept), and a damaged database file found at
 * open (`PRAGMA quick_check`), with the latest automatic backup offered and the damaged file kept.
 */

const run = promisify(execFile);
const DAY = 24 * 3600_000;

async function appWithData(dataDir: string, clock: FakeClock) {
  const app = await startApp({ dataDir, secrets: new MemorySecretStore(), clock });
  await app.engine.createOwnerWithWorkspace({
    ...OWNER,
    workspace: { name: 'Acme Agency', workspaceType: 'iframe embed', planId: 'free', integrations: [] },
  });
  return app;
}

/** Every byte of one page of the table `activity` inverted: a flipped page. */
function flipAPage(file: string): void {
  const db = new Database(file, { readonly: true });
  const page = (db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'activity'`).get() as { rootpage: number })
    .rootpage;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = readFileSync(file);
  for (let i = (page - 1) * pageSize; i < page * pageSize; i++) bytes[i]! ^= 0xff;
  writeFileSync(file, bytes);
}

describe('issue 9 item 11: automatic backups', () => {
  it('takes one at start and then once a day, and keeps the newest seven', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const app = await appWithData(dataDir, clock);
    const autos = () => readdirSync(join(dataDir, 'backups')).filter((f) => f.endsWith('-auto.sqlite'));
    expect(autos()).toHaveLength(1);
    clock.advance(DAY - 60_000);
    expect(await takeAutomaticBackupIfDue(app.engine.ctx.db, dataDir, clock)).toBeNull();
    for (let day = 1; day <= 9; day++) {
      clock.advance(DAY);
      expect(await takeAutomaticBackupIfDue(app.engine.ctx.db, dataDir, clock)).not.toBeNull();
    }
    expect(autos()).toHaveLength(7);
    expect(autos().sort().at(-1)).toContain(clock.now().toISOString().slice(0, 10));
    await app.stop();
  });
});

describe('issue 9 item 11: a damaged database', () => {
  it('a flipped page: refused at open, latest backup named, offered and restored; the damaged file kept', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const app = await appWithData(dataDir, clock);
    await app.stop();
    clock.advance(DAY);
    // The day's backup holds the workspace; then the file is damaged.
    const second = await startApp({ dataDir, secrets: new MemorySecretStore(), clock });
    // The day's backup is taken once the background check passed (a stop before that skips it).
    await second.checked;
    await second.stop();
    flipAPage(join(dataDir, DATABASE_FILE));
    const damagedBytes = readFileSync(join(dataDir, DATABASE_FILE));

    // The check runs in the background from the open (docs/decisions.md D91): the app starts, and
    // its check fails.
    const started = await startApp({ dataDir, secrets: new MemorySecretStore(), clock });
    const refused = await started.checked.catch((e: unknown) => e);
    await started.stop();
    expect(refused).toMatchObject({ code: 'database_damaged' });
    expect((refused as Error).message).toContain(`The Postroom database in ${dataDir} is damaged`);
    expect((refused as Error).message).toContain(`The latest automatic backup is from ${clock.now().toISOString()}`);
    expect(readFileSync(join(dataDir, DATABASE_FILE)).equals(damagedBytes)).toBe(true);

    const recovering = await startAppOrRecovery({ dataDir, secrets: new MemorySecretStore(), clock });
    // The app becomes the recovery host as soon as its check finds the damage.
    await vi.waitFor(async () =>
      expect(await recovering.dispatch('app.getState', {})).toMatchObject({
        ok: true,
        data: { recovery: { latestBackup: { takenAt: clock.now().toISOString() } } },
      }),
    );
    expect(await recovering.dispatch('client.list', { workspaceId: 'ws_x' })).toMatchObject({
      ok: false,
      error: { code: 'database_damaged' },
    });
    const events: string[] = [];
    recovering.subscribe((event) => events.push(event));
    const restored = await recovering.dispatch('app.restoreLatestBackup', {});
    expect(restored).toMatchObject({ ok: true, data: { profiles: [{ email: OWNER.ownerEmail }] } });
    expect((restored as { data: { recovery?: unknown } }).data.recovery).toBeUndefined();
    expect(events).toContain('state.changed');
    expect(recovering.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kept = readdirSync(join(dataDir, 'damaged'));
    expect(kept.some((f) => f.endsWith('-damaged.sqlite'))).toBe(true);
    expect(
      readFileSync(
        join(
          dataDir,
          'damaged',
          kept.find((f) => f.endsWith('-damaged.sqlite'))!,
        ),
      ).equals(damagedBytes),
    ).toBe(true);
    await recovering.stop();
  });

  it(
    'checked in the background (D91): a write before the verdict waits for it; ' +
      'on a damaged file it is refused and the file stays as found',
    async () => {
      const dataDir = tempDir();
      const clock = new FakeClock();
      const app = await appWithData(dataDir, clock);
      await app.stop();

      // A sound file: the first write waits for the check, then goes through.
      const sound = await openDatabaseCheckingInBackground({ dataDir, clock });
      expect(sound.db.prepare(`SELECT name FROM workspaces`).all()).toEqual([{ name: 'Acme Agency' }]);
      sound.db.prepare(`UPDATE workspaces SET name = ?`).run('Acme Agency 2');
      expect(sound.integrity.state).toBe('sound');
      sound.db.close();
      sound.integrity.close();

      flipAPage(join(dataDir, DATABASE_FILE));
      const damagedBytes = readFileSync(join(dataDir, DATABASE_FILE));
      const damaged = await openDatabaseCheckingInBackground({ dataDir, clock });
      // Reads are answered at once (this table is not on the flipped page).
      expect(damaged.db.prepare(`SELECT name FROM workspaces`).all()).toEqual([{ name: 'Acme Agency 2' }]);
      expect(() => damaged.db.prepare(`UPDATE workspaces SET name = ?`).run('never written')).toThrow(
        expect.objectContaining({ code: 'database_damaged' }),
      );
      expect(damaged.integrity.state).toBe('damaged');
      await expect(damaged.integrity.passed).rejects.toMatchObject({ code: 'database_damaged' });
      damaged.db.close();
      damaged.integrity.close();
      expect(readFileSync(join(dataDir, DATABASE_FILE)).equals(damagedBytes)).toBe(true);
      expect(
        existsSync(join(dataDir, `${DATABASE_FILE}-wal`)) && readFileSync(join(dataDir, `${DATABASE_FILE}-wal`)).length,
      ).toBeFalsy();
    },
  );

  it('a WAL cut mid-checkpoint: found at open; `postroom restore --latest-backup` brings the backup back', async () => {
    const dataDir = tempDir();
    const clock = new FakeClock();
    const app = await appWithData(dataDir, clock);
    const db = app.engine.ctx.db;
    clock.advance(DAY);
    await takeAutomaticBackupIfDue(db, dataDir, clock);
    db.exec(`CREATE TABLE test_bulk (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX test_bulk_v ON test_bulk (v)`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    const insert = db.prepare(`INSERT INTO test_bulk (v) VALUES (?)`);
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`entry ${i} ${'y'.repeat(100)}`);
      db.prepare(`DELETE FROM test_bulk WHERE id % 3 = 0`).run();
    })();
    // The files as a crash would leave them: the big transaction only in the WAL.
    const file = join(dataDir, DATABASE_FILE);
    const snapshot = join(tempDir(), 'snap');
    copyFileSync(file, `${snapshot}.sqlite`);
    copyFileSync(`${file}-wal`, `${snapshot}.sqlite-wal`);
    await app.stop();
    copyFileSync(`${snapshot}.sqlite`, file);
    const wal = readFileSync(`${snapshot}.sqlite-wal`);
    // A checkpoint copied the first half of the WAL's pages into the file, then the WAL was cut.
    const pageSize = wal.readUInt32BE(8);
    const frames = Math.floor((wal.length - 32) / (24 + pageSize));
    const fd = openSync(file, 'r+');
    for (let i = 0; i < Math.floor(frames / 2); i++) {
      const at = 32 + i * (24 + pageSize);
      writeSync(fd, wal, at + 24, pageSize, (wal.readUInt32BE(at) - 1) * pageSize);
    }
    closeSync(fd);
    const cutWal = wal.subarray(0, 32 + 3 * (24 + pageSize) + 100);
    writeFileSync(`${file}-wal`, cutWal);
    const damagedBytes = readFileSync(file);

    const refused = await openDatabase({ dataDir, clock }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'database_damaged' });
    const tsx = join('node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, ['src-main/cli.ts', 'restore', '--data-dir', dataDir, '--latest-backup'], {
      cwd: process.cwd(),
      timeout: 60_000,
    });
    expect(stdout).toContain('Restored the automatic backup of');
    // The damaged file and its WAL are kept as they were found.
    const kept = readdirSync(join(dataDir, 'damaged'));
    const keptDb = kept.find((f) => f.endsWith('-damaged.sqlite'))!;
    expect(readFileSync(join(dataDir, 'damaged', keptDb)).equals(damagedBytes)).toBe(true);
    expect(readFileSync(join(dataDir, 'damaged', `${keptDb}-wal`)).equals(cutWal)).toBe(true);
    const reopened = await openDatabase({ dataDir, clock });
    expect(reopened.prepare(`SELECT name FROM workspaces`).all()).toEqual([{ name: 'Acme Agency' }]);
    reopened.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
