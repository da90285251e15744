import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppError } from '../kernel/errors';
import { damagedDatabase, isDamage, problemOf, type QuickCheckRow } from './integrity';

/*
 * The integrity check of an open database, off the critical path (issue 11 cold start, issue 9
 * item 11; docs/decisions.md D91). `PRAGMA quick_check` reads the whole file: seconds on a million
 * deliveries. It runs on a read-only connection of its own in a worker thread from the moment the
 * database opens, while reads are answered at once:
 *
 * - nothing is written before it passed: every statement that writes waits for the answer (see
 *   `prepareOnceAndGateWrites` in database.ts; the thread blocks only if a write comes that early), and the
 *   scheduler, the token keeper and the automatic backup start only once it passed;
 * - when it finds damage, writes fail with `database_damaged`, and the app closes the database and
 *   offers the latest automatic backup (recovery-app.ts). The file stays as it was found: a
 *   read-only "guard" connection is held open meanwhile, so the writable connection is never the
 *   last one on the file and never checkpoints its WAL into it when it closes.
 */

export type IntegrityState = 'checking' | 'sound' | 'damaged';

/** What the worker sends back: quick_check's rows, or the error opening or reading the file failed with. */
type Answer = { rows: QuickCheckRow[] } | { error: { code: unknown; message: string } };

/**
 * The worker: plain JavaScript (it runs as is under tsx, vitest and the built app alike). It
 * reports through a message and a shared flag, so a thread that must wait for the answer can
 * block on the flag and read the message synchronously.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { file, flag, port, sqlite } = workerData;
const state = new Int32Array(flag);
let answer;
try {
  const Database = require(sqlite);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    answer = { rows: db.pragma('quick_check') };
  } finally {
    db.close();
  }
} catch (err) {
  answer = { error: { code: err && err.code, message: String((err && err.message) || err) } };
}
port.postMessage(answer);
Atomics.store(state, 0, 1);
Atomics.notify(state, 0);
`;

/** If the worker has not answered in this long while a write waits, the check runs on the waiting thread. */
const WORKER_SILENCE_MS = 60_000;

export class IntegrityCheck {
  private current: IntegrityState;
  private damage: AppError | null = null;
  private settle!: (damage: AppError | null) => void;
  /** Resolves once the database passed; rejects with `database_damaged` when it did not. */
  readonly passed: Promise<void>;
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private flag: Int32Array | null = null;
  private guard: Database.Database | null = null;
  private closed = false;

  private constructor(
    private readonly dataDir: string,
    private readonly file: string,
    state: IntegrityState,
  ) {
    this.current = state;
    this.passed = new Promise<void>((resolve, reject) => {
      this.settle = (damage) => {
        if (this.current !== 'checking') return;
        this.current = damage ? 'damaged' : 'sound';
        this.damage = damage;
        this.stopWorker();
        if (!damage) this.closeGuard();
        if (damage) reject(damage);
        else resolve();
      };
    });
    // A damaged database is reported to whoever waits for it; nobody waiting is no crash.
    this.passed.catch(() => {});
    if (state === 'sound') this.settle(null);
  }

  /** A database with nothing to check (just created, or checked already at open). */
  static passedAlready(dataDir: string, file: string): IntegrityCheck {
    const check = new IntegrityCheck(dataDir, file, 'checking');
    check.settle(null);
    return check;
  }

  /**
   * Starts the check of `file` in a worker thread. Call it before the writable connection is
   * opened: the guard connection it opens first is what keeps that one from checkpointing into a
   * damaged file. A file too damaged to open at all is `database_damaged` at once.
   */
  static inBackground(dataDir: string, file: string): IntegrityCheck {
    const check = new IntegrityCheck(dataDir, file, 'checking');
    try {
      check.guard = new Database(file, { readonly: true, fileMustExist: true });
      // A first read takes the shared lock the guard then keeps (WAL mode) for as long as it is open.
      check.guard.prepare(`SELECT count(*) FROM sqlite_schema`).get();
    } catch (err) {
      check.guard?.close();
      check.guard = null;
      if (!isDamage(err)) throw err;
      throw damagedDatabase(dataDir, (err as Error).message);
    }
    check.startWorker();
    return check;
  }

  get state(): IntegrityState {
    return this.current;
  }

  /**
   * Blocks this thread until the answer is known (at once when it is); throws `database_damaged`
   * when the database is damaged. For writes, which must never reach a file not known to be sound.
   */
  waitSync(): void {
    if (this.current === 'checking' && this.flag && this.port) {
      const until = Date.now() + WORKER_SILENCE_MS;
      while (Atomics.load(this.flag, 0) === 0 && Date.now() < until) Atomics.wait(this.flag, 0, 0, 100);
      const message = receiveMessageOnPort(this.port) as { message: Answer } | undefined;
      if (message) this.answer(message.message);
    }
    // No worker answer (it could not start, or it went silent): check here, on the guard.
    if (this.current === 'checking') this.checkHere();
    if (this.damage) throw this.damage;
  }

  /** Stops the worker and closes the guard; call after the writable connection was closed. */
  close(): void {
    this.closed = true;
    this.stopWorker();
    this.closeGuard();
  }

  private startWorker(): void {
    const flag = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(flag);
    this.port = port1;
    // Not unref'd: a process awaiting `passed` and nothing else must not end before the answer.
    // The worker ends with its answer, and `close` (the engine's) stops it before that.
    port1.on('message', (answer: Answer) => this.answer(answer));
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { file: this.file, flag, port: port2, sqlite: createRequire(__filename).resolve('better-sqlite3') },
        transferList: [port2],
      });
    } catch {
      // No worker threads here: the check runs on this thread, at the latest once the open has
      // returned (a write that comes first runs it at once, in waitSync).
      this.worker = null;
      this.port.close();
      this.port = null;
      setImmediate(() => this.current === 'checking' && this.checkHere());
      return;
    }
    // A worker that dies without answering: the check runs on this thread instead.
    const fallBack = () => queueMicrotask(() => this.current === 'checking' && this.checkHere());
    this.worker.once('error', fallBack);
    this.worker.once('exit', () => {
      const late = this.port && (receiveMessageOnPort(this.port) as { message: Answer } | undefined);
      if (late) this.answer(late.message);
      else fallBack();
    });
  }

  private answer(answer: Answer): void {
    if (this.current !== 'checking') return;
    if ('rows' in answer) {
      const problem = problemOf(answer.rows);
      this.settle(problem === null ? null : damagedDatabase(this.dataDir, problem));
    } else if (isDamage(answer.error)) {
      this.settle(damagedDatabase(this.dataDir, answer.error.message));
    } else {
      // Not damage (the file could not be opened for another reason): check on this thread, where
      // the same error, if it comes again, is thrown to the caller.
      this.checkHere();
    }
  }

  private checkHere(): void {
    if (this.current !== 'checking' || this.closed) return;
    const db = this.guard ?? new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.pragma('quick_check') as QuickCheckRow[];
      const problem = problemOf(rows);
      this.settle(problem === null ? null : damagedDatabase(this.dataDir, problem));
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.settle(damagedDatabase(this.dataDir, (err as Error).message));
    } finally {
      if (db !== this.guard) db.close();
    }
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      worker.removeAllListeners();
      void worker.terminate();
    }
    this.port?.close();
    this.port = null;
  }

  private closeGuard(): void {
    this.guard?.close();
    this.guard = null;
  }
}
