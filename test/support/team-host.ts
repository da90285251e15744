import { DeskOutbox } from '../../src-main/desk/outbox';
import { DeskReadCopy } from '../../src-main/desk/read-copy';
import { connectRemoteApp, type RemoteApp, type RemoteAppOptions } from '../../src-main/desk/remote-app';
import { hostOptionsFrom } from '../../src-main/host/host-options';
import { startTeamHost, type StartTeamHostOptions, type TeamHost } from '../../src-main/host/run-host';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import type { SecretStore } from '../../src-main/engine/secrets/secret-store';
import { FakeClock } from './engine';
import { tempDir } from './temp';
import {
  deskJoin,
  deskSignIn,
  freePort,
  makeTestCertificate as makeCertificateIn,
  startHostProcess as startHostProcessWith,
  type TestCertificate,
} from './team-host-process';

export {
  agentFor,
  DeskSocket,
  deskJoin,
  deskSignIn,
  hostRequest,
  TEST_HOST_NAMES,
  type HostProcess,
  type HttpAnswer,
  type TestCertificate,
} from './team-host-process';
export { TEAM_HOST_PUBLIC_NAME, testHostLookup } from './team-host-process';

/*
 * A team host for tests (issue 12), on TLS with a certificate made here: a test CA, and a server
 * certificate it signs for 127.0.0.1, localhost and postroom-host.test. A desk trusts the host by
 * that CA file (`caFile`), as a desk would trust an agency's private CA.
 *
 * Two ways to run one:
 *   - `startTestHost()`: in this process (fast; the test can look at the engine and its database);
 *   - `startHostProcess()`: the real `postroom host` command in a child process with its own
 *     temporary data folder and its own secrets key (the encrypted store: the host's keyring), for
 *     end-to-end tests (the desk engineer's two-desk scenario) and kill tests. It can be SIGKILLed
 *     and started again on the same data folder and port.
 */

/** A CA and a server certificate signed by it, in a temporary folder removed after the test. */
export const makeTestCertificate = (dir = tempDir('postroom-tls-')) => makeCertificateIn(dir);

/** The real `postroom host` command (./team-host-process.ts), its folders removed after the test. */
export const startHostProcess = (options: Parameters<typeof startHostProcessWith>[0] = {}) =>
  startHostProcessWith({ makeDir: tempDir, ...options });

export interface TestHost {
  host: TeamHost;
  url: string;
  tls: TestCertificate;
  dataDir: string;
  workspaceId: string;
  workspaceApiKey: string;
  /** The owner's first sign-in code (join with it to set the owner's password). */
  ownerCode: string;
  clock: FakeClock;
  /** The host's secret store: in memory, or the one the test passed (the real keychain). */
  secrets: SecretStore;
  stop(): Promise<void>;
}

/** A host in this process on 127.0.0.1 over TLS, set up with one workspace (team plan) and its owner. */
export async function startTestHost(
  options: {
    tuning?: StartTeamHostOptions['tuning'];
    tls?: TestCertificate;
    secretStore?: SecretStore;
    /** The public URL's name (default 127.0.0.1); it listens on 127.0.0.1 whatever the name. */
    publicName?: string;
  } = {},
): Promise<TestHost> {
  const tls = options.tls ?? (await makeTestCertificate());
  const dataDir = tempDir('postroom-host-');
  const clock = new FakeClock(new Date());
  const secrets = options.secretStore ?? new MemorySecretStore();
  // The public URL carries the port: take a free one first.
  const port = await freePort();
  const base = hostOptionsFrom({
    dataDir,
    publicUrl: `https://${options.publicName ?? '127.0.0.1'}:${port}`,
    listen: `127.0.0.1:${port}`,
    tlsCert: tls.certFile,
    tlsKey: tls.keyFile,
  });
  const host = await startTeamHost({
    ...base,
    firstRun: { workspace: 'Acme Agency', ownerEmail: 'olivia@agency.test', ownerName: 'Olivia Owner' },
    secretStore: secrets,
    tuning: { clock, scheduler: { monotonicNow: () => clock.monotonic() }, ...options.tuning },
  });
  return {
    host,
    url: host.publicUrl,
    tls,
    dataDir,
    workspaceId: host.created!.workspaceId,
    workspaceApiKey: host.created!.apiKey,
    ownerCode: host.ownerSetup!.code,
    clock,
    secrets,
    stop: () => host.stop(),
  };
}

/** The owner a test host is set up with (its first run), and the password the owner's join sets. */
export const HOST_OWNER = { name: 'Olivia Owner', email: 'olivia@agency.test', password: 'owner password 1' } as const;

/**
 * The owner on two desks, as a person with a laptop and a desktop (issue 12): the first desk redeems
 * the owner's sign-in code (join, which sets the password), the second signs in with that password.
 * Two sessions of one member; their tokens, in that order.
 */
export async function ownerOnTwoDesks(
  host: { url: string; tls: { ca: string }; ownerCode: string | null },
  deviceNames: readonly [string, string],
): Promise<[string, string]> {
  const joined = await deskJoin(host.url, host.tls.ca, {
    invitationCode: host.ownerCode!,
    name: HOST_OWNER.name,
    password: HOST_OWNER.password,
    deviceName: deviceNames[0],
  });
  const signedIn = await deskSignIn(host.url, host.tls.ca, {
    email: HOST_OWNER.email,
    password: HOST_OWNER.password,
    deviceName: deviceNames[1],
  });
  for (const answer of [joined, signedIn]) {
    if (answer.status !== 200) throw new Error(`the owner's desk was refused: ${JSON.stringify(answer.body)}`);
  }
  return [joined.body.sessionToken, signedIn.body.sessionToken];
}

export interface OutboxDesk {
  app: RemoteApp;
  outbox: DeskOutbox;
  dataDir: string;
  /** Stops the app, then closes its files. */
  stop(): Promise<void>;
}

/**
 * A desk's main process in team mode below the UI (issue 12 item 4): the contract carried to the host
 * by a `RemoteApp`, with its outbox (and, with `readCopy`, its read copy) in the desk's data folder.
 */
export function outboxDesk(
  host: { url: string; tls: { ca: string } },
  sessionToken: string,
  options: { reconnect: RemoteAppOptions['reconnect']; readCopy?: boolean; dataDir?: string },
): OutboxDesk {
  const dataDir = options.dataDir ?? tempDir('postroom-desk-');
  const outbox = DeskOutbox.open(dataDir);
  const readCopy = options.readCopy ? DeskReadCopy.open(dataDir) : undefined;
  const app = connectRemoteApp({
    hostUrl: host.url,
    sessionToken,
    ca: host.tls.ca,
    reconnect: options.reconnect,
    outbox,
    ...(readCopy ? { readCopy } : {}),
  });
  return {
    app,
    outbox,
    dataDir,
    stop: async () => {
      await app.stop();
      outbox.close();
      readCopy?.close();
    },
  };
}
