import { hostOptionsFrom } from '../../src-main/host/host-options';
import { startTeamHost, type StartTeamHostOptions, type TeamHost } from '../../src-main/host/run-host';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import type { SecretStore } from '../../src-main/engine/secrets/secret-store';
import { FakeClock } from './engine';
import { tempDir } from './temp';
import {
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
