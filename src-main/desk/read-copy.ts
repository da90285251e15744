import type Database from 'better-sqlite3';
import type { Channel } from '../../src-shared/contract';
import { openDeskFile } from './desk-file';

/*
 * A desk's read-only copy of what it last loaded from its team host (issue 12 item 4; D118):
 * the host's last answer to each read, by channel and request, in `desk-read-copy.sqlite` in the
 * data folder. While the host cannot be reached, a read it holds is answered from here at once (the
 * status above every page says the desk is offline and shows what was last loaded); a read it
 * does not hold waits for the host, as before. Signing out (or the host ending the session) empties
 * it: the next person on this desk sees nothing of the last one's.
 *
 * Only the reads below are kept: lists and pages a person looks at. Never an answer that carries a
 * secret (API keys revealed, a connection's credentials) or a one-off (a CSV export, a test call).
 */

export const READ_COPY_FILE = 'desk-read-copy.sqlite';

/** The reads kept for offline use: what the screens list and show. */
export const KEPT_READS = [
  'workspace.get',
  'plan.list',
  'client.list',
  'client.get',
  'connection.list',
  'connection.listLinks',
  'connection.credentialModes',
  'post.list',
  'post.calendar',
  'post.get',
  'post.dailyUsage',
  'queue.getSlots',
  'team.list',
  'activity.list',
] as const satisfies readonly Channel[];

/** The most answers kept; the oldest go first (a desk's screens use far fewer). */
export const READ_COPY_LIMIT = 2_000;

const kept = new Set<string>(KEPT_READS);

/** Whether the host's answer to `channel` is kept for offline use. */
export const isKeptRead = (channel: string): boolean => kept.has(channel);

export class DeskReadCopy {
  private constructor(private readonly db: Database.Database) {}

  static open(dataDir: string): DeskReadCopy {
    // A copy: losing the last answers to a power cut costs a reload, nothing else.
    const db = openDeskFile(dataDir, READ_COPY_FILE, 'NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS answers (
      channel TEXT NOT NULL,
      request TEXT NOT NULL,
      answer TEXT NOT NULL,
      kept_at INTEGER NOT NULL,
      PRIMARY KEY (channel, request)
    ) STRICT`);
    return new DeskReadCopy(db);
  }

  /** The host answered a read: kept (replacing the last answer to the same request) when its channel is kept. */
  keep(channel: string, request: unknown, answer: unknown): void {
    if (!isKeptRead(channel)) return;
    this.db
      .prepare(`INSERT OR REPLACE INTO answers (channel, request, answer, kept_at) VALUES (?, ?, ?, ?)`)
      .run(channel, key(request), JSON.stringify(answer ?? null), Date.now());
    this.db
      .prepare(
        // A replaced answer is a new row (INSERT OR REPLACE): rowid order is the order answers came in.
        `DELETE FROM answers WHERE rowid IN (SELECT rowid FROM answers ORDER BY rowid DESC LIMIT -1 OFFSET ?)`,
      )
      .run(READ_COPY_LIMIT);
  }

  /** The host's last answer to this read, or undefined when none is kept. */
  lookup(channel: string, request: unknown): { answer: unknown } | undefined {
    if (!isKeptRead(channel)) return undefined;
    const row = this.db
      .prepare<[string, string], { answer: string }>(`SELECT answer FROM answers WHERE channel = ? AND request = ?`)
      .get(channel, key(request));
    return row ? { answer: JSON.parse(row.answer) as unknown } : undefined;
  }

  /** Forgets everything: the session ended on this desk. */
  clear(): void {
    this.db.exec(`DELETE FROM answers`);
  }

  close(): void {
    this.db.close();
  }
}

/** The same request, however its keys were ordered: sorted keys at every level. */
function key(request: unknown): string {
  return JSON.stringify(request ?? {}, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
}
