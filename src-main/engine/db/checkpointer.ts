import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/*
 * The WAL's checkpoints, off the engine's thread (issue 11 dispatch and lateness; docs/decisions.md
 * D131). In WAL mode with `synchronous = NORMAL` a commit only appends to the WAL; the flush to disk
 * (fsync) happens when a checkpoint copies the WAL into the database file. SQLite's automatic
 * checkpoint runs inside the commit that crosses 1,000 WAL pages, on the thread that committed: the
 * engine's, which then waits for the disk (tens of ms on a busy disk) while a publish, a timer or a
 * person's click waits behind it. It also leaves the last few hundred pages of a quiet day unflushed.
 *
 * Here a worker thread with a connection of its own does it instead, as redis' `appendfsync
 * everysec` does for its log: every write the engine makes is noted (one atomic add); the worker
 * wakes, lets the moment's writes commit (`PAUSE_MS`), and checkpoints what is there (PASSIVE, so
 * the engine is never blocked). So:
 * - the engine never waits for a flush;
 * - what the engine wrote is in the database file, flushed, within about `PAUSE_MS` of the last write
 *   (a power cut loses at most that moment; before, up to 1,000 pages);
 * - the WAL stays bounded: while the engine writes without a pause a passive checkpoint never
 *   catches up with it (frames keep coming while it copies), so the log would never start over.
 *   Past `CATCH_UP_FRAMES` the worker asks the engine to catch up: right after its next commit, with
 *   no write of its own under way, the engine runs one passive checkpoint of the few frames the
 *   worker has not copied yet, and its next write starts the log anew. Nobody ever holds the writer
 *   lock to checkpoint (a RESTART checkpoint would, and a write waiting behind its flush of a large
 *   file could outlast the busy timeout).
 *
 * Where no worker can start, or it dies, SQLite's automatic checkpoint is switched back on.
 */

/** How long the worker waits after a write before copying, so that the moment's writes land in one checkpoint. */
export const PAUSE_MS = 100;
/**
 * WAL frames (pages) past which the engine catches up once, so that the log starts over
 * (about 40 MiB with 4 KiB pages).
 */
export const CATCH_UP_FRAMES = 10_000;
/** SQLite's own automatic checkpoint, restored when there is no worker. */
const AUTOMATIC_FRAMES = 1000;
/** How long closing waits for a checkpoint under way to end (it only ever copies what is already in the WAL). */
const CLOSE_WAIT_MS = 10_000;

/** Slots of the shared state. */
const WRITES = 0;
const STOP = 1;
const CLOSED = 2;
const CATCH_UP = 3;

/** The worker: plain JavaScript, so it runs as is under tsx, vitest and the built app alike. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { file, shared, sqlite, pauseMs, catchUpFrames } = workerData;
const state = new Int32Array(shared);
let db = null;
let seen = 0;
try {
  for (;;) {
    if (Atomics.load(state, ${STOP})) break;
    const writes = Atomics.load(state, ${WRITES});
    if (writes === seen) {
      Atomics.wait(state, ${WRITES}, writes);
      continue;
    }
    seen = writes;
    Atomics.wait(state, ${STOP}, 0, pauseMs);
    if (Atomics.load(state, ${STOP})) break;
    if (db === null) {
      const Database = require(sqlite);
      db = new Database(file, { fileMustExist: true });
      db.pragma('synchronous = NORMAL');
    }
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log >= catchUpFrames) Atomics.store(state, ${CATCH_UP}, 1);
  }
} finally {
  if (db !== null) db.close();
  Atomics.store(state, ${CLOSED}, 1);
  Atomics.notify(state, ${CLOSED});
}
`;

export interface CheckpointerOptions {
  pauseMs?: number;
  catchUpFrames?: number;
}

/** Checkpoints `db`'s WAL in a worker thread once writes are noted; see above. */
export class WalCheckpointer {
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  private worker: Worker | null = null;
  /** No worker could start or it died: SQLite's automatic checkpoint does the work. */
  private automatic = false;
  private closed = false;
  private noted = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly options: CheckpointerOptions = {},
  ) {}

  /** How many writes were noted: a transaction that saw this move commits something to note. */
  get writes(): number {
    return this.noted;
  }

  /** A statement or transaction that wrote has ended. Costs an atomic add once the worker runs. */
  noteWrite(): void {
    this.noted++;
    // Inside a transaction nothing is in the WAL yet: the worker is woken once, by its commit.
    if (this.db.inTransaction) return;
    if (this.worker === null && !this.start()) return;
    Atomics.add(this.state, WRITES, 1);
    Atomics.notify(this.state, WRITES);
    // Between two of the engine's writes, no frame can come while it copies: the log catches up.
    if (Atomics.load(this.state, CATCH_UP) === 1) {
      const [answer] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number }[];
      // Busy: the worker is copying right now; the next write asks again.
      if (answer?.busy === 0) Atomics.store(this.state, CATCH_UP, 0);
    }
  }

  /**
   * Stops the worker, waiting for a checkpoint under way to end and its connection to close, so
   * that the engine's connection, closed next, is the last one and takes the WAL away.
   */
  close(): void {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    worker.removeAllListeners();
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, WRITES);
    Atomics.notify(this.state, STOP);
    Atomics.wait(this.state, CLOSED, 0, CLOSE_WAIT_MS);
    void worker.terminate();
  }

  /** Starts the worker at the first write (a database only read never needs one). */
  private start(): boolean {
    if (this.automatic || this.closed) return false;
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file: this.file,
          shared: this.state.buffer,
          sqlite: createRequire(__filename).resolve('better-sqlite3'),
          pauseMs: this.options.pauseMs ?? PAUSE_MS,
          catchUpFrames: this.options.catchUpFrames ?? CATCH_UP_FRAMES,
        },
      });
    } catch {
      this.fallBack();
      return false;
    }
    // It never keeps a process alive: closing the database stops it, and an exit loses nothing.
    this.worker.unref();
    this.worker.once('error', () => this.fallBack());
    this.worker.once('exit', () => this.fallBack());
    this.db.pragma('wal_autocheckpoint = 0');
    return true;
  }

  private fallBack(): void {
    this.worker = null;
    this.automatic = true;
    if (!this.closed && this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOMATIC_FRAMES}`);
  }
}
