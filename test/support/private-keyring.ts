import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @homebridge/dbus-native speaks D-Bus in plain JavaScript; its types do not declare sessionBus.
import * as dbus from '@homebridge/dbus-native';

/*
 * A gnome-keyring of its own on a D-Bus session of its own: for a test that locks the keychain
 * (startPrivateKeyring), or for each desk of a two-desk test (startKeyringSession), so that no
 * desk's session token lands in another desk's keyring. For the lock test:
 * locking the shared one would pull it from under every other test running at the same time.
 * The test process is pointed at it (DBUS_SESSION_BUS_ADDRESS) before keytar first talks to D-Bus.
 * Locking and unlocking go through the Secret Service D-Bus API, as a desktop's lock screen does:
 * `Service.Lock` on the login collection, and gnome-keyring's `UnlockWithMasterPassword` (the call
 * its own unlock prompt makes) with the collection's password in a plain session.
 */

const SERVICE = 'org.freedesktop.secrets';
const LOGIN = '/org/freedesktop/secrets/collection/login';
const PASSWORD = 'postroom-private-keyring';

interface Invocation {
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

interface Bus {
  invoke(message: Invocation & { destination: string }, done: (err: unknown, ...values: unknown[]) => void): void;
  connection: { end(): void };
}

export interface PrivateKeyring {
  lock(): Promise<void>;
  unlock(): Promise<void>;
  locked(): Promise<boolean>;
  close(): void;
}

/**
 * A D-Bus session with a gnome-keyring of its own, unlocked, that this process does NOT use:
 * `env` points a child process at it (each desk of a two-desk test its own keyring session).
 */
export interface KeyringSession {
  /** DBUS_SESSION_BUS_ADDRESS, XDG_DATA_HOME and XDG_RUNTIME_DIR of the session. */
  readonly env: Record<'DBUS_SESSION_BUS_ADDRESS' | 'XDG_DATA_HOME' | 'XDG_RUNTIME_DIR', string>;
  /** The accounts stored under `service` in this keyring, read by a child process on its bus (keytar). */
  accounts(service: string): string[];
  close(): void;
}

export function startKeyringSession(): KeyringSession {
  const home = mkdtempSync(join(tmpdir(), 'postroom-keyring-'));
  const [address, pid] = execFileSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  const env = { DBUS_SESSION_BUS_ADDRESS: address!, XDG_DATA_HOME: home, XDG_RUNTIME_DIR: home };
  // --unlock creates the login keyring with this password (read from stdin) and unlocks it.
  const started = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env: { ...process.env, ...env },
    input: PASSWORD,
    encoding: 'utf8',
  });
  if (started.status !== 0) throw new Error(`gnome-keyring-daemon did not start: ${started.stderr}`);
  return {
    env,
    accounts(service) {
      const script =
        `require('keytar').findCredentials(${JSON.stringify(service)})` +
        '.then((c) => process.stdout.write(JSON.stringify(c.map((x) => x.account))))';
      const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      return JSON.parse(out) as string[];
    },
    close() {
      // The keyring daemon leaves with its bus.
      process.kill(Number(pid), 'SIGTERM');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function startPrivateKeyring(): Promise<PrivateKeyring> {
  const session = startKeyringSession();
  const address = session.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = address;
  const bus = (dbus as unknown as { sessionBus(options: { busAddress: string }): Bus }).sessionBus({
    busAddress: address,
  });
  const call = (m: Invocation) =>
    new Promise<unknown[]>((resolve, reject) =>
      bus.invoke({ destination: SERVICE, ...m }, (err, ...values) =>
        err ? reject(new Error(`${m.member}: ${JSON.stringify(err)}`)) : resolve(values),
      ),
    );
  const keyring: PrivateKeyring = {
    async lock() {
      await call({
        path: '/org/freedesktop/secrets',
        interface: 'org.freedesktop.Secret.Service',
        member: 'Lock',
        signature: 'ao',
        body: [[LOGIN]],
      });
    },
    async unlock() {
      const [, session] = await call({
        path: '/org/freedesktop/secrets',
        interface: 'org.freedesktop.Secret.Service',
        member: 'OpenSession',
        signature: 'sv',
        body: ['plain', ['s', '']],
      });
      await call({
        path: '/org/freedesktop/secrets',
        interface: 'org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface',
        member: 'UnlockWithMasterPassword',
        signature: 'o(oayays)',
        body: [LOGIN, [session, Buffer.alloc(0), Buffer.from(PASSWORD), 'text/plain']],
      });
    },
    async locked() {
      const [value] = await call({
        path: LOGIN,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Get',
        signature: 'ss',
        body: ['org.freedesktop.Secret.Collection', 'Locked'],
      });
      // A variant arrives as [signature, [value]].
      return (value as [unknown, [boolean]])[1][0];
    },
    close() {
      bus.connection.end();
      session.close();
    },
  };
  return keyring;
}
