import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { SetupInput } from '../src-shared/contract';
import {
  commandNames,
  existingDataDir,
  parseCommandArgs,
  portOption,
  requiredOption,
  USAGE,
  usageOf,
  UsageError,
  writableFilePath,
  type CommandName,
} from './cli-args';
import { cliFailureOf, formatCliFailure, type FailureContext } from './cli-failure';
import { systemClock } from './engine/kernel/clock';
import { DATABASE_FILE, openDatabase } from './engine/db/database';
import {
  restoreBackupFile,
  writeBackupArchive,
  type RestoredBackup,
  type WrittenBackup,
} from './engine/db/backup-archive';
import { DataFolderLock } from './engine/db/data-folder';
import { restoreLatestAutomaticBackup } from './engine/db/integrity';
import type { Engine } from './engine/engine';
import { AppError } from './engine/kernel/errors';
import { KeychainSecretStore } from './engine/secrets/keychain-store';

/** Filled in as a command learns them, so that a failure can name the option or folder it is about. */
const context: { -readonly [K in keyof FailureContext]: FailureContext[K] } = {};

/** `init`'s fields as the contract names them, and the options a person typed them with. */
const setupFieldOptions: Record<string, string> = {
  ownerName: 'owner-name',
  ownerEmail: 'owner-email',
  'workspace.name': 'workspace',
  'workspace.planId': 'plan',
};

// The engine and the servers load only when a command runs: a mistyped command line is answered at once.
async function openEngine(dataDir: string): Promise<Engine> {
  const { Engine } = await import('./engine/engine');
  return Engine.open({ dataDir, secrets: await KeychainSecretStore.open(), clock: systemClock });
}

async function init(args: string[]): Promise<void> {
  const values = parseCommandArgs('init', args);
  const dataDir = resolve(requiredOption('init', values, 'data-dir'));
  context.dataDir = dataDir;
  const email = requiredOption('init', values, 'owner-email');
  // The owner made here chooses a password at their first sign-in in the app (D87).
  const setup = SetupInput.omit({ password: true }).safeParse({
    ownerName: values['owner-name'] ?? email.split('@')[0],
    ownerEmail: email,
    workspace: { name: requiredOption('init', values, 'workspace'), ...(values.plan ? { planId: values.plan } : {}) },
  });
  if (!setup.success) {
    const issue = setup.error.issues[0]!;
    const option = setupFieldOptions[issue.path.map(String).join('.')] ?? 'workspace';
    throw new UsageError(
      'validation_failed',
      `--${option} ${JSON.stringify(values[option as 'workspace'] ?? '')} is not accepted: ${issue.message}.`,
      `Correct --${option} and run init again (postroom --help lists the options).`,
      { fields: { [option]: issue.message } },
    );
  }
  const lock = DataFolderLock.acquire(dataDir, 'postroom init');
  const engine = await openEngine(dataDir).catch((err: unknown) => {
    lock.release();
    throw err;
  });
  try {
    const { workspace, apiKey } = await engine.createOwnerWithWorkspace(setup.data).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'conflict')
        throw new AppError('conflict', `${dataDir} is already set up.`, {
          fix: `Run it with postroom serve --data-dir ${dataDir}, or give init an empty folder for a new setup.`,
        });
      throw err;
    });
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
  const values = parseCommandArgs('serve', args);
  const dataDir = existingDataDir('serve', requiredOption('serve', values, 'data-dir'));
  const apiPort = portOption(values['api-port'], 'api-port');
  const uiPort = portOption(values['ui-port'], 'ui-port');
  Object.assign(context, { dataDir, ports: { 'api-port': apiPort, 'ui-port': uiPort } });
  const [{ startDesk }, { startBrowserHost }] = await Promise.all([
    import('./desk/desk-app'),
    import('./server/browser-host'),
  ]);
  // This computer's app, or (team mode, issue 12) the contract carried to the desk's team host.
  const running = await startDesk({ dataDir, apiPort });
  // The UI's port may be taken: stop what already started, so the failure is reported and the process ends.
  const host = await startBrowserHost(running, { port: uiPort }).catch(async (err: unknown) => {
    await running.stop();
    throw err;
  });
  // The database failed its check (at open, or in the background soon after): the UI offers the
  // latest automatic backup, and there is no API meanwhile.
  const recoveryOf = (state: unknown) => (state as { recovery?: { message: string } } | null)?.recovery;
  const state = await running.dispatch('app.getState', {});
  const recovery = state.ok ? recoveryOf(state.data) : undefined;
  if (recovery) {
    process.stderr.write(`${recovery.message}\n`);
    process.stdout.write(`Postroom UI (recovery): ${host.url}\n`);
  } else {
    process.stdout.write(`Postroom UI: ${host.url}\nPostroom API: ${running.apiUrl}\n`);
    const unsubscribe = running.subscribe((event, payload) => {
      const found = event === 'state.changed' ? recoveryOf(payload) : undefined;
      if (!found) return;
      unsubscribe();
      process.stderr.write(`${found.message}\n`);
      process.stdout.write(`Postroom UI (recovery): ${host.url}\n`);
    });
  }
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

const NOT_POSTROOM_DATA_FIX = 'Check --data-dir names the folder Postroom keeps its data in.';

/** A command on an existing data folder refuses one without Postroom's database (`not_found`, saying how to fix it). */
function requirePostroomData(dataDir: string, fix = NOT_POSTROOM_DATA_FIX): void {
  if (!existsSync(join(dataDir, DATABASE_FILE)))
    throw new AppError('not_found', `${dataDir} holds no Postroom data (no ${DATABASE_FILE}).`, { fix });
}

async function backup(args: string[]): Promise<void> {
  const values = parseCommandArgs('backup', args);
  const dataDir = existingDataDir('backup', requiredOption('backup', values, 'data-dir'));
  context.dataDir = dataDir;
  const to = writableFilePath(requiredOption('backup', values, 'to'));
  requirePostroomData(dataDir);
  const db = await openDatabase({ dataDir, clock: systemClock });
  let written: WrittenBackup;
  try {
    // The database and every media file it names, in one file (D106).
    written = await writeBackupArchive(db, dataDir, to, systemClock);
  } finally {
    db.close();
  }
  process.stdout.write(`Backed up to ${to} (the database and ${written.mediaFiles} media files)\n`);
}

async function restore(args: string[]): Promise<void> {
  const values = parseCommandArgs('restore', args);
  const dataDir = existingDataDir('restore', requiredOption('restore', values, 'data-dir'));
  context.dataDir = dataDir;
  if (values['latest-backup'] && values.from !== undefined)
    throw new UsageError(
      'validation_failed',
      'postroom restore takes either --from FILE or --latest-backup, not both.',
      `Keep one of them. Usage: ${usageOf('restore')}`,
    );
  if (values['latest-backup']) {
    // After a damaged database was found: the newest sound automatic backup, the damaged file kept aside.
    const lock = DataFolderLock.acquire(dataDir, 'postroom restore');
    try {
      const { restoredFrom, damagedKeptAs } = restoreLatestAutomaticBackup(dataDir, DATABASE_FILE, systemClock);
      process.stdout.write(
        `Restored the automatic backup of ${restoredFrom.takenAt} into ${dataDir}\n` +
          `The damaged database is kept as ${damagedKeptAs}\n`,
      );
    } finally {
      lock.release();
    }
    return;
  }
  const from = resolve(requiredOption('restore', values, 'from'));
  // Never under a running Postroom: it would go on with the database it has open.
  const lock = DataFolderLock.acquire(dataDir, 'postroom restore');
  let restored: RestoredBackup;
  try {
    restored = await restoreBackupFile(dataDir, from, systemClock);
  } finally {
    lock.release();
  }
  process.stdout.write(`Restored ${from} into ${dataDir}\n`);
  if (restored.missingMedia.length > 0)
    process.stderr.write(
      `${restored.missingMedia.length} media file(s) the backup names were not in it nor in the data folder; ` +
        'posts that use them show them as missing.\n',
    );
}

async function adminKey(args: string[]): Promise<void> {
  const values = parseCommandArgs('admin-key', args);
  const dataDir = existingDataDir('admin-key', requiredOption('admin-key', values, 'data-dir'));
  context.dataDir = dataDir;
  if (values.regenerate) return regenerateAdminKey(dataDir);
  const engine = await openEngine(dataDir);
  try {
    const key = await engine.revealInstallAdminKey().catch((err: unknown) => {
      if (!(err instanceof AppError) || err.code !== 'not_found') throw err;
      throw new AppError(
        'not_found',
        `The install admin key of ${dataDir} is not in the keychain open now: Postroom put it in the keychain ` +
          'that was open when this folder was set up, and this is a different one (another user or machine, ' +
          'or a throwaway keyring such as a test run makes).',
        {
          fix:
            'Run Postroom as the same user, on the same machine, with the keychain it was set up with. On Linux ' +
            'without a desktop, bash scripts/with-keyring.sh keeps one keyring across runs ' +
            '(~/.local/share/keyrings). If that keychain is gone, make a new key (the old one stops working): ' +
            `postroom admin-key --data-dir ${dataDir} --regenerate`,
        },
      );
    });
    process.stdout.write(`${key}\n`);
  } finally {
    engine.close();
  }
}

/**
 * `admin-key --regenerate` (D112): a new install admin key into the keychain open now, the old one
 * revoked. Never under a running Postroom, which holds the data folder.
 */
async function regenerateAdminKey(dataDir: string): Promise<void> {
  requirePostroomData(
    dataDir,
    'Check --data-dir names the folder Postroom keeps its data in, or set it up with postroom init.',
  );
  const lock = DataFolderLock.acquire(dataDir, 'postroom admin-key --regenerate');
  try {
    const engine = await openEngine(dataDir);
    try {
      const key = await engine.regenerateInstallAdminKey();
      process.stderr.write('A new install admin key is in the keychain; the old one no longer works.\n');
      process.stdout.write(`${key}\n`);
    } finally {
      engine.close();
    }
  } finally {
    lock.release();
  }
}

/**
 * The new password: typed twice at a terminal (not echoed), else the first line of stdin, so it is
 * never in the command line (shell history, `ps`).
 */
async function readNewPassword(email: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  }
  const ask = (question: string) =>
    new Promise<string>((done) => {
      let muted = false;
      const rl = createInterface({
        input: process.stdin,
        output: new Writable({
          write(chunk: Buffer, _enc, next) {
            if (!muted) process.stdout.write(chunk);
            next();
          },
        }),
        terminal: true,
      });
      rl.question(question, (answer) => {
        rl.close();
        process.stdout.write('\n');
        done(answer);
      });
      muted = true;
    });
  const first = await ask(`New password for ${email}: `);
  const again = await ask('The same password again: ');
  if (first !== again)
    throw new AppError('validation_failed', 'The two passwords differ.', {
      fix: 'Run postroom reset-password again and type the same password twice.',
    });
  return first;
}

async function resetPassword(args: string[]): Promise<void> {
  const values = parseCommandArgs('reset-password', args);
  const dataDir = existingDataDir('reset-password', requiredOption('reset-password', values, 'data-dir'));
  context.dataDir = dataDir;
  const email = requiredOption('reset-password', values, 'profile');
  requirePostroomData(dataDir);
  // Never under a running Postroom: the person at the machine that holds the data stops it first.
  const lock = DataFolderLock.acquire(dataDir, 'postroom reset-password');
  try {
    const password = await readNewPassword(email);
    const db = await openDatabase({ dataDir, clock: systemClock });
    try {
      const { resetPassword: reset } = await import('./engine/team/sign-in');
      const { name, endedSessions } = await reset(db, email, password, systemClock.now());
      const signedOut = endedSessions > 0 ? ` ${endedSessions} session(s) signed out.` : '';
      process.stdout.write(`${name} (${email}) has a new password.${signedOut}\n`);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

const commands: Record<CommandName, (args: string[]) => Promise<void>> = {
  init,
  serve,
  backup,
  restore,
  'admin-key': adminKey,
  'reset-password': resetPassword,
  host: async (args) => (await import('./host/host-command')).hostCommand(args, context),
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help' || rest.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  if (!(commandNames as string[]).includes(name))
    throw new UsageError(
      'not_found',
      `postroom has no command "${name}".`,
      `Use one of ${commandNames.join(', ')}; postroom --help shows their options.`,
      { command: name },
    );
  context.command = name;
  await commands[name as CommandName](rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (process.env.POSTROOM_DEBUG === '1') console.error(err);
  const failure = cliFailureOf(err, context);
  // Exit once the words are out: a half-started server or timer must not keep the process waiting.
  process.stderr.write(formatCliFailure(failure, process.argv.includes('--json')), () =>
    process.exit(failure.exitCode),
  );
});
