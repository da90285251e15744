import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src-main/engine/kernel/passwords';
import { NO_KEYCHAIN_REASON, keychainAvailable } from '../support/keychain';
import { tempDir } from '../support/temp';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const cli = (...args: string[]) => run(tsx, ['src-main/cli.ts', ...args], { cwd: process.cwd(), timeout: 60_000 });
const available = await keychainAvailable();
/**
 * For tests that start the command several times in a row: each start loads the whole engine in a
 * new process (2–3 s of CPU on an idle machine), so five of them outlast vitest's default 30 s on a
 * machine shared by several test runs.
 */
const SEVERAL_STARTS = { timeout: 120_000 };

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}
/** The command's outcome, whether it succeeded or not. */
const outcome = (p: Promise<{ stdout: string; stderr: string }>): Promise<Finished> =>
  p.then(
    (r) => ({ code: 0, ...r }),
    (e: Finished) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/**
 * What a person must see when a command fails (issue 10): one sentence saying what is wrong, then
 * "What to do:"; an exit code that is not 0; no stack trace and no raw JSON.
 */
function expectPlainFailure(result: Finished, exitCode: number, sentence: RegExp, fix: RegExp): void {
  const [first, ...rest] = result.stderr.trimEnd().split('\n');
  expect(first).toMatch(sentence);
  expect(first!.split(/(?<=\.) /)).toHaveLength(1); // one sentence
  expect(rest.join('\n')).toMatch(/^What to do:/);
  expect(rest.join('\n')).toMatch(fix);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/^\{/m);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(exitCode);
}

/** One pattern made of `parts`, one right after the other. */
const joined = (...parts: RegExp[]) => new RegExp(parts.map((p) => p.source).join(''));
/** One pattern made of `parts` in this order, anything between them. */
const inOrder = (...parts: RegExp[]) => new RegExp(parts.map((p) => p.source).join('[\\s\\S]*'));

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, server };
}

describe('postroom command line failures: one sentence and what to do', () => {
  /**
   * [what the person did, arguments (DIR: an empty folder, MISSING: a folder that does not exist), exit code,
   * sentence, fix]
   */
  const mistakes: [string, string[], number, RegExp, RegExp][] = [
    ['no such command', ['frobnicate'], 2, /^postroom has no command "frobnicate"\.$/, /init, serve, backup, restore/],
    [
      'a missing option',
      ['init', '--workspace', 'Acme', '--owner-email', 'ada@acme.test'],
      2,
      /^postroom init needs --data-dir: the folder Postroom keeps its data in\.$/,
      /Add --data-dir \S+\. Usage: postroom init --data-dir DIR/,
    ],
    [
      'a missing value',
      ['serve', '--data-dir'],
      2,
      /^--data-dir needs a value: the folder Postroom keeps its data in\.$/,
      /e\.g\. --data-dir \S+/,
    ],
    [
      'an option where a value should be',
      ['backup', '--data-dir', '--to', 'x.sqlite'],
      2,
      /^--data-dir needs a value/,
      /Usage: postroom backup --data-dir DIR --to FILE/,
    ],
    [
      'an unknown option',
      ['serve', '--data-dir', 'DIR', '--port', '8080'],
      2,
      /^postroom serve has no option --port\.$/,
      /Usage: postroom serve --data-dir DIR \[--ui-port N\] \[--api-port N\]/,
    ],
    [
      'a misspelt option',
      ['serve', '--data', 'DIR'],
      2,
      /^postroom serve has no option --data\.$/,
      /Did you mean --data-dir\?/,
    ],
    [
      'a value without its option',
      ['serve', 'DIR'],
      2,
      /^postroom serve does not take ".*" on its own\.$/,
      /--data-dir/,
    ],
    [
      'a port that is not a number',
      ['serve', '--data-dir', 'DIR', '--ui-port', 'http'],
      2,
      /^--ui-port must be a port number from 0 to 65535, not "http"\.$/,
      /0 picks any free port/,
    ],
    [
      'a value given to a flag',
      ['init', '--data-dir', 'DIR', '--workspace', 'Acme', '--owner-email', 'ada@acme.test', '--json=yes'],
      2,
      /^--json takes no value\.$/,
      /Write just --json/,
    ],
    [
      'an email that is not one',
      ['init', '--data-dir', 'DIR', '--workspace', 'Acme', '--owner-email', 'ada'],
      2,
      /^--owner-email "ada" is not accepted: .*\.$/,
      /Correct --owner-email/,
    ],
    [
      'a plan that does not exist',
      ['init', '--data-dir', 'DIR', '--workspace', 'Acme', '--owner-email', 'ada@acme.test', '--plan', 'gold'],
      2,
      /^--plan "gold" is not accepted/,
      /Correct --plan/,
    ],
    [
      'serve on a folder that does not exist',
      ['serve', '--data-dir', 'MISSING'],
      1,
      /^There is no folder \S+\.$/,
      /Check the path, or set up a new data folder there: postroom init --data-dir/,
    ],
    [
      'admin-key of a folder that does not exist',
      ['admin-key', '--data-dir', 'MISSING'],
      1,
      /^There is no folder \S+\.$/,
      /Check the path/,
    ],
    [
      'backup of a folder that does not exist',
      ['backup', '--data-dir', 'MISSING', '--to', 'DIR/b.sqlite'],
      1,
      /^There is no folder \S+\.$/,
      /Check the path/,
    ],
    [
      'backup of a folder without Postroom data',
      ['backup', '--data-dir', 'DIR', '--to', 'DIR/b.sqlite'],
      1,
      /^\S+ holds no Postroom data \(no postroom\.sqlite\)\.$/,
      /Check --data-dir/,
    ],
    [
      'backup into a folder that does not exist',
      ['backup', '--data-dir', 'DIR', '--to', 'MISSING/b.sqlite'],
      1,
      /^There is no folder \S+ to write \S+ into\.$/,
      /mkdir -p/,
    ],
    [
      'restore into a folder that does not exist',
      ['restore', '--data-dir', 'MISSING', '--from', 'DIR/not-a-backup.txt'],
      1,
      /^There is no folder \S+\.$/,
      /create the folder \(mkdir -p \S+\) and run restore again/,
    ],
    [
      'restore with neither a file nor --latest-backup',
      ['restore', '--data-dir', 'DIR'],
      2,
      joined(
        /^postroom restore needs --from: the backup file to read /,
        /\(or --latest-backup for the newest automatic backup\)\.$/,
      ),
      /Add --from backup\.sqlite\. Usage: postroom restore --data-dir DIR \(--from FILE \| --latest-backup\)/,
    ],
    [
      'restore with both a file and --latest-backup',
      ['restore', '--data-dir', 'DIR', '--from', 'DIR/not-a-backup.txt', '--latest-backup'],
      2,
      /^postroom restore takes either --from FILE or --latest-backup, not both\.$/,
      /Keep one of them/,
    ],
    [
      'restore from a file that does not exist',
      ['restore', '--data-dir', 'DIR', '--from', 'DIR/nope.sqlite'],
      1,
      /^There is no backup file \S+\.$/,
      /Check the path given to --from/,
    ],
    [
      'restore from a file that is not a backup',
      ['restore', '--data-dir', 'DIR', '--from', 'DIR/not-a-backup.txt'],
      1,
      /^\S+ is not a Postroom backup\.$/,
      /a file written by postroom backup/,
    ],
  ];

  it.each(mistakes)('%s', async (_what, args, exitCode, sentence, fix) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-backup.txt'), 'hello');
    const missing = join(dir, 'no', 'such', 'folder');
    const argv = args.map((a) => a.replace(/^DIR/, dir).replace(/^MISSING/, missing));
    expectPlainFailure(await outcome(cli(...argv)), exitCode, sentence, fix);
  });

  it('without a keychain, says what to install or start, per OS, and exits 1 (no stack trace, no JSON)', async () => {
    const dataDir = tempDir();
    const result = await outcome(
      run(tsx, ['src-main/cli.ts', 'init', '--data-dir', dataDir, '--workspace', 'Acme', '--owner-email', 'a@b.test'], {
        cwd: process.cwd(),
        timeout: 60_000,
        // No session bus, as over SSH: libsecret cannot reach any Secret Service.
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' },
      }),
    );
    expectPlainFailure(
      result,
      1,
      /^Postroom keeps its passwords, tokens and keys only in the system keychain, and this session has no D-Bus/,
      inOrder(
        /sudo apt-get install gnome-keyring dbus-user-session/,
        /bash scripts\/with-keyring\.sh npm start/,
        /dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock/,
        /On a desktop: install GNOME Keyring/,
      ),
    );
  });

  it('with --json, a script gets the SPEC §7 shape on stderr, with what to do in details.fix', async () => {
    const result = await outcome(cli('init', '--workspace', 'Acme', '--owner-email', 'a@b.test', '--json'));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'parameter_missing',
        message: 'postroom init needs --data-dir: the folder Postroom keeps its data in.',
        details: { fields: { 'data-dir': 'required' }, fix: expect.stringMatching(/^Add --data-dir /) },
      },
    });
  });

  it('--help lists every command with its options', async () => {
    const { stdout } = await cli('--help');
    for (const line of [
      'postroom init --data-dir DIR --workspace NAME --owner-email EMAIL',
      'postroom serve --data-dir DIR [--ui-port N] [--api-port N]',
      'postroom backup --data-dir DIR --to FILE',
      'postroom restore --data-dir DIR (--from FILE | --latest-backup)',
      'postroom admin-key --data-dir DIR [--regenerate]',
      'postroom reset-password --data-dir DIR --profile EMAIL',
      'postroom host --data-dir DIR --public-url URL --listen ADDR:PORT ' +
        '(--tls-cert FILE --tls-key FILE | --behind-proxy',
    ])
      expect(stdout).toContain(line);
  });
});

describe.skipIf(!available)(`postroom command line (real keychain) — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
  it(
    'init --json prints exactly {workspaceId, apiKey}, and serve starts, prints its URLs and stops on SIGTERM',
    SEVERAL_STARTS,
    async () => {
      const dataDir = tempDir();
      const { stdout } = await cli(
        'init',
        '--data-dir',
        dataDir,
        '--workspace',
        'Acme Agency',
        '--owner-email',
        'owner@acme.test',
        '--plan',
        'team',
        '--json',
      );
      const printed = JSON.parse(stdout);
      expect(Object.keys(printed).sort()).toEqual(['apiKey', 'workspaceId']);
      expect(printed.workspaceId).toMatch(/^ws_/);

      const again = await outcome(
        cli('init', '--data-dir', dataDir, '--workspace', 'Twice', '--owner-email', 'owner@acme.test'),
      );
      expectPlainFailure(
        again,
        1,
        /^\S+ is already set up\.$/,
        /postroom serve --data-dir \S+, or give init an empty folder/,
      );

      const adminKey = (await cli('admin-key', '--data-dir', dataDir)).stdout.trim();
      const serve = spawn(tsx, ['src-main/cli.ts', 'serve', '--data-dir', dataDir], { cwd: process.cwd() });
      let out = '';
      serve.stdout.on('data', (c) => (out += c));
      for (let i = 0; i < 300 && !/Postroom API: (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Postroom UI: http:\/\/127\.0\.0\.1:\d+\/#token=\S{20,}/);
      const apiUrl = /Postroom API: (\S+)/.exec(out)![1]!;

      const form = new FormData();
      form.append('name', 'Added By Script');
      const res = await fetch(`${apiUrl}/api/workspaces/add`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}` },
        body: form,
      });
      expect(res.status).toBe(200);

      serve.kill('SIGTERM');
      const [code] = await once(serve, 'exit');
      expect(code).toBe(0);
      expect(out).toContain('Postroom stopped.');
    },
  );

  it.each(['ui-port', 'api-port'])(
    'serve on a busy --%s says which port and what to do, and ends by itself (no EADDRINUSE trace)',
    async (option) => {
      const dataDir = tempDir();
      const { port, server } = await busyPort();
      try {
        const result = await outcome(cli('serve', '--data-dir', dataDir, `--${option}`, String(port)));
        expectPlainFailure(
          result,
          1,
          new RegExp(`^Port ${port} is already in use by another program \\(perhaps another Postroom\\)\\.$`),
          new RegExp(`choose another port: --${option} ${port + 1} \\(0 picks any free port\\)`),
        );
        expect(result.stderr).not.toContain('EADDRINUSE');
      } finally {
        server.close();
      }
    },
  );

  it('backup and restore bring a data folder back to the backed-up state', SEVERAL_STARTS, async () => {
    const dataDir = tempDir();
    await cli('init', '--data-dir', dataDir, '--workspace', 'Before Backup', '--owner-email', 'o@b.test', '--json');
    const file = join(tempDir(), 'backup.sqlite');
    await cli('backup', '--data-dir', dataDir, '--to', file);
    const adminKey = (await cli('admin-key', '--data-dir', dataDir)).stdout.trim();
    const restoredInto = tempDir();
    await cli('restore', '--data-dir', restoredInto, '--from', file);
    expect((await cli('admin-key', '--data-dir', restoredInto)).stdout.trim()).toBe(adminKey);
  });
});

/**
 * scripts/with-keyring.sh as on a machine without a desktop: no session bus of its own, a keyring folder of its
 * own.
 */
const headless = (keyringHome: string, password: string, ...args: string[]) => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    POSTROOM_KEYRING_HOME: keyringHome,
    POSTROOM_KEYRING_PASSWORD: password,
  };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  return outcome(
    run('bash', ['scripts/with-keyring.sh', tsx, 'src-main/cli.ts', ...args], {
      cwd: process.cwd(),
      timeout: 60_000,
      env,
    }),
  ).then((r) => ({ ...r, stderr: withoutDbusChatter(r.stderr) }));
};

/** D-Bus's and GNOME Keyring's own daemons share the terminal (e.g. dbus-daemon's fd-limit notice as root). */
const withoutDbusChatter = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => !/^(dbus-daemon\[\d+\]|\(gcr-prompter|\*\* Message)|^$/.test(line))
    .join('\n');

describe.skipIf(!available)(`postroom reset-password — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
  /** The command with `input` on its stdin (a script, or a person piping it; a terminal is asked twice). */
  const withStdin = (input: string, ...args: string[]) =>
    outcome(
      new Promise<{ stdout: string; stderr: string }>((done, fail) => {
        const child = execFile(
          tsx,
          ['src-main/cli.ts', ...args],
          { cwd: process.cwd(), timeout: 60_000 },
          (err, stdout, stderr) => (err ? fail(Object.assign(err, { stdout, stderr })) : done({ stdout, stderr })),
        );
        child.stdin!.end(input);
      }),
    );

  it(
    'sets a new password read from stdin for the profile named by email; ' +
      'a wrong email or a short password says what to do',
    SEVERAL_STARTS,
    async () => {
      const dataDir = tempDir();
      await cli('init', '--data-dir', dataDir, '--workspace', 'Acme', '--owner-email', 'owner@acme.test');

      const reset = await withStdin(
        'a new password\n',
        'reset-password',
        '--data-dir',
        dataDir,
        '--profile',
        'owner@acme.test',
      );
      expect(reset).toMatchObject({ code: 0, stdout: 'owner (owner@acme.test) has a new password.\n' });
      const db = new Database(join(dataDir, 'postroom.sqlite'), { readonly: true });
      const stored = db
        .prepare(`SELECT password_hash FROM profiles WHERE email = ?`)
        .pluck()
        .get('owner@acme.test') as string;
      db.close();
      expect(await verifyPassword('a new password', stored)).toBe(true);

      expectPlainFailure(
        await withStdin('a new password\n', 'reset-password', '--data-dir', dataDir, '--profile', 'nobody@acme.test'),
        1,
        /^No profile on this install has the email nobody@acme\.test\.$/,
        /Check the email/,
      );
      expectPlainFailure(
        await withStdin('short\n', 'reset-password', '--data-dir', dataDir, '--profile', 'owner@acme.test'),
        1,
        /^Choose a password of 8 to 200 characters\.$/,
        /reset-password again and type a password of 8 to 200 characters/,
      );
      expectPlainFailure(
        await withStdin('', 'reset-password', '--data-dir', dataDir),
        2,
        /^postroom reset-password needs --profile: the email of the profile whose password is forgotten\.$/,
        /--profile you@agency\.com/,
      );
    },
  );
});

describe.skipIf(!available)(`the headless keyring script — skipped only when ${NO_KEYCHAIN_REASON}`, () => {
  it(
    'keeps one keyring across runs, so admin-key after init works; another keyring is told what happened',
    SEVERAL_STARTS,
    async () => {
      const dataDir = tempDir();
      const keyring = tempDir();
      const setUp = await headless(
        keyring,
        'pw-1',
        'init',
        '--data-dir',
        dataDir,
        '--workspace',
        'W',
        '--owner-email',
        'o@w.test',
      );
      expect(setUp.code).toBe(0);
      // A second run: a new D-Bus session and keyring daemon, the same keyring file.
      const key = await headless(keyring, 'pw-1', 'admin-key', '--data-dir', dataDir);
      expect(key.code).toBe(0);
      expect(key.stdout.trim()).toMatch(/^key_[\w-]+\.[\w-]+$/);

      const elsewhere = await headless(tempDir(), 'pw-2', 'admin-key', '--data-dir', dataDir);
      expectPlainFailure(
        elsewhere,
        1,
        joined(
          /^The install admin key of \S+ is not in the keychain open now: /,
          /Postroom put it in the keychain that was open when this folder was set up, and this is a different one/,
        ),
        inOrder(
          /same user, on the same machine, with the keychain it was set up with/,
          /scripts\/with-keyring\.sh keeps one keyring/,
          /postroom admin-key --data-dir \S+ --regenerate/,
        ),
      );

      // That keychain is gone for good: a new key in the keychain open now; the old one stops working (D112).
      const other = tempDir();
      const renewed = await headless(other, 'pw-2', 'admin-key', '--data-dir', dataDir, '--regenerate');
      expect(renewed.code).toBe(0);
      expect(renewed.stderr.trim()).toBe('A new install admin key is in the keychain; the old one no longer works.');
      const newKey = renewed.stdout.trim();
      expect(newKey).toMatch(/^key_[\w-]+\.[\w-]+$/);
      expect(newKey).not.toBe(key.stdout.trim());
      expect((await headless(other, 'pw-2', 'admin-key', '--data-dir', dataDir)).stdout.trim()).toBe(newKey);
      const db = new Database(join(dataDir, 'postroom.sqlite'), { readonly: true });
      const live = db.prepare(`SELECT count(*) FROM api_keys WHERE scope = 'install_admin' AND revoked_at IS NULL`);
      expect(live.pluck().get()).toBe(1);
      db.close();
    },
  );

  it('a wrong keyring password is said at once, before the command runs', async () => {
    const keyring = tempDir();
    expect((await headless(keyring, 'right', 'admin-key', '--data-dir', tempDir())).code).toBe(0);
    const wrong = await headless(keyring, 'wrong', 'admin-key', '--data-dir', tempDir());
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/The keyring at \S+login\.keyring did not unlock with that password\./);
    expect(wrong.stderr).toMatch(/What to do: Run this again with the password the keyring was created with/);
    expect(wrong.stdout).toBe('');
  });
});
