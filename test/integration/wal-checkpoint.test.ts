import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WalCheckpointer } from '../../src-main/engine/db/checkpointer';
import { DATABASE_FILE, openDatabase } from '../../src-main/engine/db/database';
import { FakeClock } from '../support/engine';
import { tempDir } from '../support/temp';

/*
 * The WAL's checkpoints run on a thread of their own (docs/decisions.md D131): what the engine
 * writes reaches the database file itself, flushed, within a moment, the engine's connection never
 * checkpoints, the WAL stays bounded under a steady stream of writes, and closing leaves no WAL.
 */

/** What a copy of the database file alone (no WAL beside it) says: what a power cut would leave at worst. */
function settingInFileAlone(dataDir: string, key: string): string | undefined {
  const copyDir = tempDir();
  copyFileSync(join(dataDir, DATABASE_FILE), join(copyDir, DATABASE_FILE));
  const copy = new Database(join(copyDir, DATABASE_FILE), { readonly: true });
  try {
    return copy.prepare<[string], string>(`SELECT value FROM settings WHERE key = ?`).pluck().get(key);
  } finally {
    copy.close();
  }
}

describe('D131: the WAL is checkpointed off the engine thread', () => {
  it(
    'a write reaches the database file itself within a moment, ' +
      'and the engine connection never checkpoints once it wrote',
    async () => {
      const dataDir = tempDir();
      const db = await openDatabase({ dataDir, clock: new FakeClock() });
      try {
        // A write that changed nothing (an idle scheduler's recovery) starts no thread: SQLite still checkpoints.
        db.prepare(`UPDATE settings SET value = 'x' WHERE key = 'no such setting'`).run();
        expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
        db.prepare(`INSERT INTO settings (key, value) VALUES ('workspace_name', 'Harbour & Co')`).run();
        expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
        await expect
          .poll(() => settingInFileAlone(dataDir, 'workspace_name'), { timeout: 10_000 })
          .toBe('Harbour & Co');
        // A change inside a transaction is flushed once the transaction commits.
        db.transaction(() =>
          db.prepare(`UPDATE settings SET value = 'Harbour Studio' WHERE key = 'workspace_name'`).run(),
        )();
        await expect
          .poll(() => settingInFileAlone(dataDir, 'workspace_name'), { timeout: 10_000 })
          .toBe('Harbour Studio');
      } finally {
        db.close();
      }
      // The worker's connection closed first, so the engine's was the last one and took the WAL away.
      expect(existsSync(join(dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
    },
  );

  it('a steady stream of commits keeps the WAL near its bound instead of growing with every write', () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'stream.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE lines (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`);
    const catchUpFrames = 300;
    const checkpointer = new WalCheckpointer(db, file, { pauseMs: 5, catchUpFrames });
    const insert = db.prepare(`INSERT INTO lines (text) VALUES (?)`);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    let peak = 0;
    try {
      // Two seconds of commits with no pause between them: a passive checkpoint never catches up.
      let made = 0;
      for (const until = Date.now() + 2000; Date.now() < until; made++) {
        insert.run(`line ${made} `.padEnd(600, '.'));
        checkpointer.noteWrite();
        if (made % 200 === 0 && existsSync(`${file}-wal`)) peak = Math.max(peak, statSync(`${file}-wal`).size);
      }
      const writtenFrames = made;
      // Every commit appended at least one frame: unbounded, the WAL would hold them all.
      expect(writtenFrames).toBeGreaterThan(4 * catchUpFrames);
      expect(peak / (pageSize + 24)).toBeLessThan(writtenFrames / 2);
    } finally {
      checkpointer.close();
      db.close();
    }
  });
});
