import { readFileSync } from 'node:fs';
import { startApp, type StartAppOptions, type StartedApp } from '../app';
import { pruneIdempotencyKeys } from '../engine/kernel/idempotency';
import { AppError } from '../engine/kernel/errors';
import { EncryptedFileSecretStore, readKeyMaterial } from '../engine/secrets/encrypted-file-store';
import { KeychainSecretStore } from '../engine/secrets/keychain-store';
import type { SecretStore } from '../engine/secrets/secret-store';
import { issueOwnerSetupCode } from '../engine/team/desk-sessions';
import type { HostOptions } from './host-options';
import { startHostServer, type HostServer, type HostServerOptions } from './host-server';
import { PublicMediaLinks } from './public-media';
import { systemClock } from '../engine/kernel/clock';

/**
 * `postroom host` (SPEC §12, issue 12 item 1): the same engine and store, headless, the
 * workspace's only scheduler, and one server on the public URL (host-server.ts). Secrets go to
 * the OS keychain, or, on a server without one, to the encrypted file store sealed with the key
 * named on the command line. The data folder's lock keeps a second host (or a `serve`) off it.
 */
export interface TeamHost {
  readonly app: StartedApp;
  readonly server: HostServer;
  readonly publicUrl: string;
  /** Posts' media at unguessable, expiring links on the public URL, for Instagram and Threads (D101, D113). */
  readonly publicMedia: PublicMediaLinks;
  /** The owner's first sign-in code, when the owner has no password yet (shown once at start). */
  readonly ownerSetup: { code: string; email: string; expiresAt: string } | null;
  /** Workspace created by this start (`--workspace` on a new data folder), with its API key shown once. */
  readonly created: { workspaceId: string; apiKey: string } | null;
  /** Reads the certificate and key again (after a renewal). */
  reloadTls(): void;
  stop(): Promise<void>;
}

export interface StartTeamHostOptions extends HostOptions {
  /** First start of an empty data folder: the workspace and its owner. */
  firstRun?: { workspace: string; ownerEmail: string; ownerName?: string; plan?: 'free' | 'team' | 'enterprise' };
  /** Tests lower limits and shorten the scheduler's back-off. */
  tuning?: Pick<HostServerOptions, 'apiLimits' | 'signInLimits' | 'deskLimits'> &
    Pick<StartAppOptions, 'clock' | 'scheduler'>;
  /** Tests may pass a store instead of the keychain or the key file. */
  secretStore?: SecretStore;
}

const DAY_MS = 24 * 3600_000;

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new AppError(
      'validation_failed',
      `${option} ${path} cannot be read (${(err as NodeJS.ErrnoException).code}).`,
      {
        fix:
          `Give the PEM file of the ${option === '--tls-cert' ? 'certificate chain' : 'private key'}, ` +
          'readable by the user that runs postroom host.',
      },
    );
  }
}

export async function startTeamHost(options: StartTeamHostOptions): Promise<TeamHost> {
  const { transport } = options;
  const readTls = () =>
    transport.kind === 'tls'
      ? { cert: readPem(transport.certFile, '--tls-cert'), key: readPem(transport.keyFile, '--tls-key') }
      : undefined;
  const tls = readTls();
  const secrets =
    options.secretStore ??
    (options.secrets.kind === 'encrypted-file'
      ? (() => {
          const source = options.secrets.key;
          return async () => EncryptedFileSecretStore.open(options.dataDir, readKeyMaterial(source));
        })()
      : () => KeychainSecretStore.open());
  let server: HostServer | null = null;
  const publicMedia = new PublicMediaLinks({
    publicUrl: options.publicUrl.origin,
    dataDir: options.dataDir,
    clock: options.tuning?.clock ?? systemClock,
  });
  const app = await startApp({
    dataDir: options.dataDir,
    secrets,
    instance: 'postroom host',
    ...(options.tuning?.clock ? { clock: options.tuning.clock } : {}),
    // The host is the only scheduler, and the one with a public address for media.
    scheduler: { ...options.tuning?.scheduler, publicMedia },
    serve: async (engine) => {
      server = await startHostServer(engine, {
        publicUrl: options.publicUrl,
        publicMedia,
        listen: options.listen,
        transport,
        ...(tls ? { tls } : {}),
        ...options.tuning,
      });
      return { url: options.publicUrl.origin, close: () => server!.close() };
    },
  });
  const engine = app.engine;
  let created: TeamHost['created'] = null;
  try {
    if (engine.state().needsSetup) {
      if (!options.firstRun)
        throw new AppError('validation_failed', `${options.dataDir} has no workspace yet.`, {
          fix:
            'On the first start, also give --workspace NAME --owner-email EMAIL ' +
            '(or run postroom init on the folder first).',
        });
      const made = await engine.createOwnerWithWorkspace({
        ownerName: options.firstRun.ownerName ?? options.firstRun.ownerEmail.split('@')[0]!,
        ownerEmail: options.firstRun.ownerEmail,
        workspace: {
          name: options.firstRun.workspace,
          workspaceType: 'iframe embed',
          // A team host is for a team: members can be invited from the start.
          planId: options.firstRun.plan ?? 'team',
          integrations: [],
        },
      });
      created = { workspaceId: made.workspace.id, apiKey: made.apiKey };
    }
  } catch (err) {
    await app.stop();
    throw err;
  }
  const prune = () => pruneIdempotencyKeys(engine.ctx.db, engine.ctx.clock.now());
  prune();
  const pruneTimer = setInterval(prune, DAY_MS);
  pruneTimer.unref();
  return {
    app,
    server: server!,
    publicUrl: options.publicUrl.origin,
    publicMedia,
    ownerSetup: issueOwnerSetupCode(engine.ctx),
    created,
    reloadTls: () => {
      const renewed = readTls();
      if (renewed) server!.reloadTls(renewed);
    },
    stop: async () => {
      clearInterval(pruneTimer);
      await app.stop();
    },
  };
}
