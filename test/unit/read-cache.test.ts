import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src-main/engine/db/read-cache';
import { tempDir } from '../support/temp';

describe('the read cache', () => {
  it('answers from memory until a write on this connection or a commit by another one', () => {
    const file = join(tempDir(), 'cache.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER)');
    const cache = new ReadCache(db);
    let computed = 0;
    const read = () => cache.get('sum', () => (computed++, (db.prepare('SELECT coalesce(sum(x), 0) AS s FROM t').get() as { s: number }).s));
    expect([read(), read()]).toEqual([0, 0]);
    expect(computed).toBe(1);
    db.prepare('INSERT INTO t VALUES (5)').run();
    expect(read()).toBe(5);
    expect(computed).toBe(2);
    const other = new Database(file);
    other.prepare('INSERT INTO t VALUES (7)').run();
    expect(read()).toBe(12);
    expect(computed).toBe(3);
    other.close();
    db.close();
  });
});
