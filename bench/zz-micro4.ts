import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildAgency } from './lib/dataset';
import { DATABASE_FILE } from '../src-main/engine/db/database';
void (async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zz-'));
  await buildAgency({ dataDir, deliveries: 100000, clients: 50, shape: 'due', mastodonUrl: 'http://127.0.0.1:9', mastodonToken: 't' });
  const db = new Database(join(dataDir, DATABASE_FILE));
  for (const p of ['journal_mode = WAL', 'synchronous = OFF', 'foreign_keys = ON', 'cache_size = -65536', 'wal_autocheckpoint = 0']) db.pragma(p);
  const ids = db.prepare(`SELECT id FROM deliveries ORDER BY rowid`).pluck().all() as string[];
  const claim = () => db.prepare(`UPDATE deliveries SET state = 'publishing', lease_owner = 'x', lease_expires_at = '2030', attempts = attempts + 1, updated_at = '2026' WHERE id = ? AND state = 'scheduled' RETURNING *`);
  const pub = () => db.prepare(`UPDATE deliveries SET state = 'published', platform_post_id = 'p', platform_post_url = 'https://x/p', published_at = '2026', lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, verify_since = NULL, updated_at = '2026' WHERE id = ?`);
  let at = 0;
  const measure = (label: string) => {
    const c = claim(), p = pub();
    const n = 4000; let tc = 0, tp = 0;
    for (let i = at; i < at + n; i++) { let t = process.cpuUsage(); c.get(ids[i]!); let u = process.cpuUsage(t); tc += u.user + u.system; t = process.cpuUsage(); p.run(ids[i]!); u = process.cpuUsage(t); tp += u.user + u.system; }
    at += n;
    console.log(label.padEnd(30), 'claim', Math.round(tc / n), 'µs  published', Math.round(tp / n), 'µs');
  };
  const triggers = (like: string) => db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?`).all(like) as { name: string; sql: string }[];
  measure('all triggers'); measure('all triggers');
  const summary = triggers('group_summaries_%');
  for (const t of summary) db.exec(`DROP TRIGGER ${t.name}`);
  measure('no summary triggers'); measure('no summary triggers');
  const queue = triggers('deliveries_queue_%');
  for (const t of queue) db.exec(`DROP TRIGGER ${t.name}`);
  measure('no triggers'); measure('no triggers');
  for (const t of summary) db.exec(t.sql);
  measure('summary only'); measure('summary only');
  db.exec('DROP INDEX deliveries_due'); for (const t of summary) db.exec(`DROP TRIGGER ${t.name}`);
  measure('no triggers, no due index');
  console.log(db.prepare(`SELECT name, sql FROM sqlite_master WHERE tbl_name = 'deliveries' AND type = 'index'`).all());
})();
