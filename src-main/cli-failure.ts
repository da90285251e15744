import type { ErrorCode, ErrorObject } from '../src-shared/errors';
import { AppError } from './engine/kernel/errors';
import { UsageError } from './cli-args';

/**
 * How a failure of the `postroom` command line reads (issue 10, item 1): one sentence saying what
 * went wrong, then what to do, on stderr; exit code 2 for a mistyped command line, 1 otherwise;
 * never a stack trace. `--json` asks for the SPEC §7 shape instead, for scripts.
 */
export interface CliFailure {
  readonly error: ErrorObject & { details: { fix: string } & Record<string, unknown> };
  readonly exitCode: 1 | 2;
}

/** Where in the command line a failure happened: names ports after the options that chose them. */
export interface FailureContext {
  readonly command?: string;
  readonly ports?: Readonly<Record<string, number>>;
  readonly dataDir?: string;
}

type SystemError = Error & { code?: string; port?: number; path?: string; syscall?: string };

const DEBUG_HINT = 'Run it again with POSTROOM_DEBUG=1 to see the full error, and report it with that output.';

/**
 * Operating-system and SQLite failures a person can act on, by their `code` (Node's errno names,
 * better-sqlite3's SqliteError codes). Anything else is `internal` and keeps its message to itself:
 * an unknown error may carry a query or a value, and secrets never reach an error message.
 */
const systemFailures: Record<string, (e: SystemError, ctx: FailureContext) => { message: string; fix: string }> = {
  EADDRINUSE: (e, ctx) => {
    const option = Object.entries(ctx.ports ?? {}).find(([, port]) => port === e.port)?.[0];
    return {
      message: `Port ${e.port ?? ''} is already in use by another program (perhaps another Postroom).`,
      fix: option
        ? `Stop that program, or choose another port: --${option} ${(e.port ?? 0) + 1} (0 picks any free port).`
        : 'Stop that program, or choose other ports with --ui-port and --api-port (0 picks any free port).',
    };
  },
  EACCES: (e) =>
    e.syscall === 'listen'
      ? {
          message: `Postroom may not listen on port ${e.port ?? ''} (ports below 1024 need administrator rights).`,
          fix: 'Choose a port from 1024 to 65535, or 0 for any free port.',
        }
      : {
          message: `Postroom may not write to ${e.path ?? 'its data folder'}.`,
          fix: 'Check the folder belongs to you (ls -ld), or choose another with --data-dir.',
        },
  EPERM: (e) => ({
    message: `The system did not allow Postroom to change ${e.path ?? 'a file in its data folder'}.`,
    fix: 'Check the folder belongs to you and is not read-only, or choose another with --data-dir.',
  }),
  EROFS: (e) => ({
    message: `${e.path ?? 'The data folder'} is on a read-only disk.`,
    fix: 'Choose a data folder on a writable disk with --data-dir.',
  }),
  ENOSPC: () => ({
    message: 'The disk is full, so Postroom stopped before writing anything half.',
    fix: 'Free some space (df -h shows where) and run the command again.',
  }),
  ENOTDIR: (e) => ({
    message: `A part of ${e.path ?? 'the path'} is a file where a folder was expected.`,
    fix: 'Check the path given to --data-dir.',
  }),
  ENOENT: (e) => ({
    message: `There is no ${e.path ?? 'such file or folder'}.`,
    fix: 'Check the path and run the command again.',
  }),
  SQLITE_BUSY: (_e, ctx) => ({
    message: `The database in ${ctx.dataDir ?? 'the data folder'} is busy: another Postroom is using it.`,
    fix: 'Stop the other Postroom (or wait for it to finish) and run the command again.',
  }),
  SQLITE_CORRUPT: (_e, ctx) => ({
    message: `The database in ${ctx.dataDir ?? 'the data folder'} is damaged.`,
    fix: `Restore the latest automatic backup: postroom restore --data-dir ${ctx.dataDir ?? 'DIR'} --latest-backup`,
  }),
  SQLITE_NOTADB: (_e, ctx) => ({
    message: `postroom.sqlite in ${ctx.dataDir ?? 'the data folder'} is not a database.`,
    fix: 'Check --data-dir names a Postroom data folder, or restore a backup into it.',
  }),
  SQLITE_FULL: () => ({
    message: 'The disk is full, so the database refused the change; nothing was written half.',
    fix: 'Free some space (df -h shows where) and run the command again.',
  }),
  SQLITE_READONLY: (_e, ctx) => ({
    message: `The database in ${ctx.dataDir ?? 'the data folder'} is read-only.`,
    fix: 'Check that postroom.sqlite and its folder belong to you and are writable.',
  }),
  SQLITE_CANTOPEN: (_e, ctx) => ({
    message: `The database in ${ctx.dataDir ?? 'the data folder'} could not be opened.`,
    fix: 'Check that the folder exists and belongs to you.',
  }),
};

/** The SPEC §7 code each of those failures is reported with under --json. */
const systemFailureCodes: Record<string, ErrorCode> = {
  EADDRINUSE: 'conflict',
  EACCES: 'forbidden',
  EPERM: 'forbidden',
  EROFS: 'forbidden',
  ENOSPC: 'disk_full',
  ENOTDIR: 'not_found',
  ENOENT: 'not_found',
  SQLITE_BUSY: 'data_folder_in_use',
  SQLITE_CORRUPT: 'database_damaged',
  SQLITE_NOTADB: 'database_damaged',
  SQLITE_FULL: 'disk_full',
  SQLITE_READONLY: 'forbidden',
  SQLITE_CANTOPEN: 'not_found',
};

/** What to do about an engine error that carries no `fix` of its own, by its SPEC §7 code. */
const fixByCode: Partial<Record<ErrorCode, string>> = {
  keychain_unavailable: 'Start or unlock the system keychain, then run the command again.',
  keychain_locked: 'Unlock the system keychain (on Linux: your "Login" keyring), then run the command again.',
  data_folder_in_use:
    'Stop the other Postroom first (Ctrl+C where it runs, or quit the app), or use another --data-dir.',
  disk_full: 'Free some space (df -h shows where) and run the command again; nothing was written half.',
  database_damaged: 'Restore the latest automatic backup: postroom restore --data-dir DIR --latest-backup',
  unsupported_database_version: 'Update Postroom to the version that wrote this data (or newer) and run it again.',
  validation_failed: 'Correct the value and run the command again (postroom --help lists the options).',
  parameter_missing: 'Add the missing option (postroom --help lists the options).',
  conflict: 'Check what is already there, then run the command again.',
  not_found: 'Check the names and paths given and run the command again.',
};

function withFix(object: ErrorObject, fix: string): CliFailure['error'] {
  return { ...object, details: { ...object.details, fix } };
}

/** Any thrown value as the failure the command line prints. */
export function cliFailureOf(err: unknown, ctx: FailureContext = {}): CliFailure {
  if (err instanceof AppError) {
    const own = err.details?.fix;
    const fix =
      typeof own === 'string' ? own : (fixByCode[err.code] ?? 'Correct what it names and run the command again.');
    return { error: withFix(err.toObject(), fix), exitCode: err instanceof UsageError ? 2 : 1 };
  }
  const code = (err as SystemError | null)?.code ?? '';
  const known = systemFailures[code];
  if (known) {
    const { message, fix } = known(err as SystemError, ctx);
    return {
      error: { code: systemFailureCodes[code] ?? 'internal', message, details: { fix, cause: code } },
      exitCode: 1,
    };
  }
  return {
    error: {
      code: 'internal',
      message: 'Something went wrong inside Postroom; nothing was changed.',
      details: { fix: DEBUG_HINT },
    },
    exitCode: 1,
  };
}

/** The printed form: the sentence, then "What to do:" and the fix (a longer one indented under it). */
export function formatCliFailure(failure: CliFailure, json: boolean): string {
  if (json) return `${JSON.stringify({ error: failure.error })}\n`;
  const { message, details } = failure.error;
  if (!details.fix.includes('\n')) return `${message}\nWhat to do: ${details.fix}\n`;
  return `${message}\nWhat to do:\n${details.fix.replace(/^/gm, '  ')}\n`;
}
