import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FILE_MODE } from '../engine/db/data-folder';
import { chmodSync } from 'node:fs';
import type { ErrorObject } from '../../src-shared/errors';

/*
 * A desk's outbox in team mode (issue 12 item 4, part; docs/decisions.md D111): every change the
 * desk sends to its team host is written here, with its idempotency key, before it is sent, and
 * removed when the host has answered it. A desk that stops (quit, crash, a laptop's battery)
 * before the host answered finds the changes here at its next start and sends each again with
 * its first key, so the host runs it once whatever happened. A change the host refuses on such a
 * replay (nobody is waiting for the answer any more) stays here with the host's reason, never lost.
 *
 * Its own SQLite file in the data folder: the desk's engine database is not opened in team mode.
 */

export const OUTBOX_FILE = 'desk-outbox.sqlite';

export interface OutboxItem {
  readonly key: string;
  readonly channel: string;
  readonly request: unknown;
}

export interface RefusedItem extends OutboxItem {
  readonly error: ErrorObject;
}

export class DeskOutbox {
  private constructor(private readonly db: Database.Database) {}

  static open(dataDir: string): DeskOutbox {
    const file = join(dataDir, OUTBOX_FILE);
    const db = new Database(file);
    chmodSync(file, FILE_MODE);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      idempotency_key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      request TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'refused')),
      error TEXT,
      created_at TEXT NOT NULL
    ) STRICT`);
    return new DeskOutbox(db);
  }

  /** Kept before it is sent: a stop at any moment after this finds it at the next start. */
  add(item: OutboxItem): void {
    this.db
      .prepare(`INSERT INTO outbox (idempotency_key, channel, request, created_at) VALUES (?, ?, ?, ?)`)
      .run(item.key, item.channel, JSON.stringify(item.request ?? {}), new Date().toISOString());
  }

  /** The host answered (or a person saw the refusal): nothing left to send. */
  remove(key: string): void {
    this.db.prepare(`DELETE FROM outbox WHERE idempotency_key = ?`).run(key);
  }

  /** A replayed change the host refused: kept with its reason. */
  refuse(key: string, error: ErrorObject): void {
    this.db
      .prepare(`UPDATE outbox SET state = 'refused', error = ? WHERE idempotency_key = ?`)
      .run(JSON.stringify(error), key);
  }

  /** What is still to send, in the order it was made. */
  pending(): OutboxItem[] {
    return this.db
      .prepare<[], { idempotency_key: string; channel: string; request: string }>(
        `SELECT idempotency_key, channel, request FROM outbox WHERE state = 'pending' ORDER BY seq`,
      )
      .all()
      .map((r) => ({ key: r.idempotency_key, channel: r.channel, request: JSON.parse(r.request) as unknown }));
  }

  refused(): RefusedItem[] {
    return this.db
      .prepare<[], { idempotency_key: string; channel: string; request: string; error: string }>(
        `SELECT idempotency_key, channel, request, error FROM outbox WHERE state = 'refused' ORDER BY seq`,
      )
      .all()
      .map((r) => ({
        key: r.idempotency_key,
        channel: r.channel,
        request: JSON.parse(r.request) as unknown,
        error: JSON.parse(r.error) as ErrorObject,
      }));
  }

  /** One refused change, by its key; undefined when there is none (sent again, discarded). */
  refusedItem(key: string): RefusedItem | undefined {
    return this.refused().find((item) => item.key === key);
  }

  refusedCount(): number {
    return this.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE state = 'refused'`).get()?.n ?? 0;
  }

  close(): void {
    this.db.close();
  }
}
