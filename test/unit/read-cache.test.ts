import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src-main/engine/db/read-cache';
import { tempDir } from '../support/temp';

/** A table, a cache over it and a counter of how often the sum was really computed. */
function setUp(journalMode: 'wal' | 'delete') {
  const file = join(tempDir(), 'cache.sqlite');
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec('CREATE TABLE t (x INTEGER)');
  const cache = new ReadCache(db);
  const counter = { computed: 0 };
  const read = () =>
    cache.get(
      'sum',
      () => (counter.computed++, (db.prepare('SELECT coalesce(sum(x), 0) AS s FROM t').get() as { s: number }).s),
    );
  return { file, db, cache, read, counter };
}

describe('the read cache', () => {
  for (const [mode, watching] of [
    ['wal', 'wal-index'],
    ['delete', 'data_version'],
  ] as const) {
    it(
      'answers from memory until a write on this connection or a commit by another one ' +
        `(${mode} journal, ${watching})`,
      () => {
        const { file, db, cache, read, counter } = setUp(mode);
        expect(cache.watching).toBe(watching);
        expect([read(), read()]).toEqual([0, 0]);
        expect(counter.computed).toBe(1);
        db.prepare('INSERT INTO t VALUES (5)').run();
        expect(read()).toBe(5);
        expect(counter.computed).toBe(2);
        const other = new Database(file);
        other.prepare('INSERT INTO t VALUES (7)').run();
        expect(read()).toBe(12);
        expect(counter.computed).toBe(3);
        expect(read()).toBe(12);
        expect(counter.computed).toBe(3);
        other.close();
        cache.close();
        db.close();
      },
    );
  }

  it('sees its own uncommitted writes inside a transaction, and keeps nothing a rollback undoes', () => {
    const { db, cache, read } = setUp('wal');
    expect(read()).toBe(0);
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO t VALUES (3)').run();
        expect(read()).toBe(3);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(read()).toBe(0);
    cache.close();
    db.close();
  });

  it('in a batch, looks at other connections once, at its start, and still sees its own writes', () => {
    const { file, db, cache, read } = setUp('wal');
    const other = new Database(file);
    expect(read()).toBe(0);
    cache.batch(() => {
      other.prepare('INSERT INTO t VALUES (7)').run();
      // Answered as of the batch's start: the other connection's commit is not looked at again.
      expect(read()).toBe(0);
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(read()).toBe(8);
    });
    other.prepare('INSERT INTO t VALUES (2)').run();
    expect(read()).toBe(10);
    other.close();
    cache.close();
    db.close();
  });

  it('notices a commit by another connection after the WAL was checkpointed and restarted', () => {
    const { file, db, cache, read } = setUp('wal');
    const other = new Database(file);
    other.prepare('INSERT INTO t VALUES (1)').run();
    expect(read()).toBe(1);
    db.pragma('wal_checkpoint(TRUNCATE)');
    other.prepare('INSERT INTO t VALUES (1)').run();
    expect(read()).toBe(2);
    other.close();
    cache.close();
    db.close();
  });
});
