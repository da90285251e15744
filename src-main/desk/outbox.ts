import type Database from 'better-sqlite3';
import type { ErrorObject } from '../../src-shared/errors';
import { openDeskFile } from './desk-file';

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

/**
 * The outbox table as the first version (D111) made it, byte for byte as it stands in the
 * sqlite_master of desks of that version; `open` adds the later columns to it. History: never edit
 * it, add a column in `open` instead.
 */
export const FIRST_OUTBOX_TABLE = `CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      idempotency_key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      request TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'refused')),
      error TEXT,
      created_at TEXT NOT NULL
    ) STRICT`;

export interface OutboxItem {
  readonly key: string;
  readonly channel: string;
  readonly request: unknown;
  /** A post created while the host was away: its desk-local id until the host answers (D122). */
  readonly localId?: string;
}

export interface PendingItem extends OutboxItem {
  /** Sent to the host at least once (its request can no longer change under its key). */
  readonly sent: boolean;
  readonly createdAt: string;
}

export interface RefusedItem extends OutboxItem {
  readonly error: ErrorObject;
}

export class DeskOutbox {
  private constructor(private readonly db: Database.Database) {}

  static open(dataDir: string): DeskOutbox {
    const db = openDeskFile(dataDir, OUTBOX_FILE, 'FULL');
    db.exec(FIRST_OUTBOX_TABLE);
    // Added for posts drafted offline (D122); an outbox of an earlier version gains them.
    const columns = new Set((db.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name));
    if (!columns.has('local_id')) db.exec(`ALTER TABLE outbox ADD COLUMN local_id TEXT`);
    if (!columns.has('sent')) db.exec(`ALTER TABLE outbox ADD COLUMN sent INTEGER NOT NULL DEFAULT 0`);
    db.exec(`CREATE TABLE IF NOT EXISTS host_ids (
      local_id TEXT PRIMARY KEY,
      host_id TEXT NOT NULL,
      mapped_at TEXT NOT NULL
    ) STRICT`);
    return new DeskOutbox(db);
  }

  /** Kept before it is sent: a stop at any moment after this finds it at the next start. */
  add(item: OutboxItem): void {
    this.db
      .prepare(`INSERT INTO outbox (idempotency_key, channel, request, local_id, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(item.key, item.channel, JSON.stringify(item.request ?? {}), item.localId ?? null, new Date().toISOString());
  }

  /** About to go to the host: from now on its request is what the host may have run under its key. */
  markSent(key: string): void {
    this.db.prepare(`UPDATE outbox SET sent = 1 WHERE idempotency_key = ? AND sent = 0`).run(key);
  }

  /**
   * A change never sent, rewritten (an edit folded into a post's queued create). False when it was
   * sent meanwhile: the host may have run it already, so its request stays as it was sent.
   */
  rewrite(key: string, request: unknown): boolean {
    return (
      this.db
        .prepare(`UPDATE outbox SET request = ? WHERE idempotency_key = ? AND sent = 0 AND state = 'pending'`)
        .run(JSON.stringify(request ?? {}), key).changes === 1
    );
  }

  /**
   * The host made the post drafted offline: its id is kept for the local one, and every change
   * still to send that names the local id names the host's instead; the create is done with. One
   * transaction, so a stop at any moment leaves either all of it or none (the create is then sent
   * again with its key, and the host answers the same id).
   */
  mapLocalId(localId: string, hostId: string, createKey: string, rewrite: (request: unknown) => unknown): void {
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT OR REPLACE INTO host_ids (local_id, host_id, mapped_at) VALUES (?, ?, ?)`)
        .run(localId, hostId, new Date().toISOString());
      this.db.prepare(`DELETE FROM outbox WHERE idempotency_key = ?`).run(createKey);
      const naming = this.db
        .prepare<[string], { idempotency_key: string; request: string }>(
          `SELECT idempotency_key, request FROM outbox WHERE instr(request, ?) > 0`,
        )
        .all(JSON.stringify(localId));
      const update = this.db.prepare(`UPDATE outbox SET request = ? WHERE idempotency_key = ?`);
      for (const row of naming)
        update.run(JSON.stringify(rewrite(JSON.parse(row.request) as unknown)), row.idempotency_key);
    })();
  }

  /** The host's ids of the posts drafted here offline, by their local ids. */
  hostIds(): Map<string, string> {
    return new Map(
      this.db
        .prepare<[], { local_id: string; host_id: string }>(`SELECT local_id, host_id FROM host_ids`)
        .all()
        .map((r) => [r.local_id, r.host_id]),
    );
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
  pending(): PendingItem[] {
    return this.db
      .prepare<
        [],
        {
          idempotency_key: string;
          channel: string;
          request: string;
          local_id: string | null;
          sent: number;
          created_at: string;
        }
      >(
        `SELECT idempotency_key, channel, request, local_id, sent, created_at
         FROM outbox WHERE state = 'pending' ORDER BY seq`,
      )
      .all()
      .map((r) => ({
        key: r.idempotency_key,
        channel: r.channel,
        request: JSON.parse(r.request) as unknown,
        ...(r.local_id ? { localId: r.local_id } : {}),
        sent: r.sent === 1,
        createdAt: r.created_at,
      }));
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
