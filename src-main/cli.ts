import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startAppOrRecovery } from './recovery-app';
import { systemClock } from './engine/kernel/clock';
import { backupDatabase, backupTo, DATABASE_FILE, openDatabase } from './engine/db/database';
import { DataFolderLock, FILE_MODE } from './engine/db/data-folder';
import { restoreLatestAutomaticBackup } from './engine/db/integrity';
import { migrations } from './engine/db/migrations';
import { Engine } from './engine/engine';
import { AppError, toErrorObject } from './engine/kernel/errors';
import { KeychainSecretStore } from './engine/secrets/keychain-store';
import { startBrowserHost } from './server/browser-host';

const USAGE = `postroom <command> [options]

  init     --data-dir DIR --workspace NAME --owner-email EMAIL [--owner-name NAME] [--plan free|team|enterprise] [--json]
  serve    --data-dir DIR [--ui-port N] [--api-port M]
  backup   --data-dir DIR --to FILE
  restore  --data-dir DIR --from FILE | --latest-backup
  admin-key --data-dir DIR          print the install admin key (for POST /api/workspaces/add)
`;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new AppError('parameter_missing', `--${name} is required`, { fields: { [name]: 'required' } });
  }
  return value;
}

function port(value: unknown, name: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new AppError('validation_failed', `--${name} must be a port number`);
  return n;
}

async function openEngine(dataDir: string): Promise<Engine> {
  return Engine.open({ dataDir, secrets: await KeychainSecretStore.open(), clock: systemClock });
}

async function init(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      workspace: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-name': { type: 'string' },
      plan: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const dataDir = resolve(required(values, 'data-dir'));
  const email = required(values, 'owner-email');
  const lock = DataFolderLock.acquire(dataDir, 'postroom init');
  const engine = await openEngine(dataDir).catch((err: unknown) => {
    lock.release();
    throw err;
  });
  try {
    const { workspace, apiKey } = await engine.createOwnerWithWorkspace(
      (await import('../src-shared/contract')).SetupInput.parse({
        ownerName: values['owner-name'] ?? email.split('@')[0],
        ownerEmail: email,
        workspace: { name: required(values, 'workspace'), ...(values.plan ? { planId: values.plan } : {}) },
      }),
    );
    if (values.json) process.stdout.write(`${JSON.stringify({ workspaceId: workspace.id, apiKey })}\n`);
    else
      process.stdout.write(
        `Workspace ${workspace.name} (${workspace.id}) is ready.\nWorkspace API key (shown once): ${apiKey}\n`,
      );
  } finally {
    engine.close();
    lock.release();
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, 'ui-port': { type: 'string' }, 'api-port': { type: 'string' } },
  });
  const dataDir = resolve(required(values, 'data-dir'));
  const running = await startAppOrRecovery({ dataDir, apiPort: port(values['api-port'], 'api-port') });
  const host = await startBrowserHost(running, { port: port(values['ui-port'], 'ui-port') });
  const state = await running.dispatch('app.getState', {});
  const recovery = state.ok ? (state.data as { recovery?: { message: string } }).recovery : undefined;
  if (recovery) {
    // The database failed its check: the UI offers the latest automatic backup (no API meanwhile).
    process.stderr.write(`${recovery.message}\n`);
    process.stdout.write(`Postroom UI (recovery): ${host.url}\n`);
  } else process.stdout.write(`Postroom UI: ${host.url}\nPostroom API: ${running.apiUrl}\n`);
  await new Promise<void>((done) => {
    let stopping = false;
    // Handlers stay installed: a second signal (a process group signal relayed twice, an impatient
    // Ctrl-C) must not fall back to the default action and kill an orderly stop halfway.
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void host
        .close()
        .then(() => running.stop())
        .then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('Postroom stopped.\n');
}

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, to: { type: 'string' } } });
  const dataDir = resolve(required(values, 'data-dir'));
  const to = resolve(required(values, 'to'));
  if (!existsSync(join(dataDir, DATABASE_FILE))) throw new AppError('not_found', `no Postroom data in ${dataDir}`);
  const db = await openDatabase({ dataDir, clock: systemClock });
  try {
    await backupTo(db, to);
  } finally {
    db.close();
  }
  process.stdout.write(`Backed up to ${to}\n`);
}

async function restore(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, from: { type: 'string' }, 'latest-backup': { type: 'boolean' } },
  });
  const dataDir = resolve(required(values, 'data-dir'));
  if (values['latest-backup']) {
    // After a damaged database was found: the newest sound automatic backup, the damaged file kept aside.
    const lock = DataFolderLock.acquire(dataDir, 'postroom restore');
    try {
      const { restoredFrom, damagedKeptAs } = restoreLatestAutomaticBackup(dataDir, DATABASE_FILE, systemClock);
      process.stdout.write(
        `Restored the automatic backup of ${restoredFrom.takenAt} into ${dataDir}\nThe damaged database is kept as ${damagedKeptAs}\n`,
      );
    } finally {
      lock.release();
    }
    return;
  }
  const from = resolve(required(values, 'from'));
  if (!existsSync(from)) throw new AppError('not_found', `no backup at ${from}`);
  // Check the backup is a Postroom database this version can open before touching anything.
  const probe = new Database(from, { readonly: true, fileMustExist: true });
  let version: number;
  try {
    version = probe.pragma('user_version', { simple: true }) as number;
    probe.prepare(`SELECT count(*) FROM workspaces`).get();
  } catch {
    throw new AppError('validation_failed', `${from} is not a Postroom backup`);
  } finally {
    probe.close();
  }
  const latest = migrations.at(-1)?.version ?? 0;
  if (version > latest)
    throw new AppError(
      'unsupported_database_version',
      `the backup was written by a newer Postroom (schema ${version})`,
    );
  const target = join(dataDir, DATABASE_FILE);
  // Never under a running Postroom: it would go on with the database it has open.
  const lock = DataFolderLock.acquire(dataDir, 'postroom restore');
  try {
    await restoreInto(dataDir, target, from);
  } finally {
    lock.release();
  }
  process.stdout.write(`Restored ${from} into ${dataDir}\n`);
}

async function restoreInto(dataDir: string, target: string, from: string): Promise<void> {
  if (existsSync(target)) {
    const current = await openDatabase({ dataDir, clock: systemClock });
    try {
      await backupDatabase(current, join(dataDir, 'backups'), 'before-restore', systemClock);
    } finally {
      current.close();
    }
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(from, target);
  chmodSync(target, FILE_MODE);
}

async function adminKey(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const engine = await openEngine(resolve(required(values, 'data-dir')));
  try {
    process.stdout.write(`${await engine.revealInstallAdminKey()}\n`);
  } finally {
    engine.close();
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  init,
  serve,
  backup,
  restore,
  'admin-key': adminKey,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const command = commands[name];
  if (!command) throw new AppError('not_found', `unknown command "${name}"\n\n${USAGE}`);
  if (rest.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  await command(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const isArgError = err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS');
  const error = isArgError
    ? { code: 'validation_failed', message: (err as Error).message }
    : err instanceof AppError
      ? toErrorObject(err)
      : (console.error(err), toErrorObject(err));
  process.stderr.write(`${JSON.stringify({ error })}\n`);
  process.exitCode = 1;
});
