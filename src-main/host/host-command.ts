import { resolve } from 'node:path';
import { parseCommandArgs, requiredOption, UsageError } from '../cli-args';
import type { FailureContext } from '../cli-failure';
import { hostOptionsFrom } from './host-options';

/**
 * `postroom host …` (SPEC §12, issue 12 item 1): runs until SIGINT or SIGTERM, then stops
 * gracefully (in-flight publishing finishes first). SIGHUP reads the TLS certificate and key
 * again after a renewal. The options are checked before anything starts (`hostOptionsFrom`).
 */
export async function hostCommand(
  args: string[],
  context: { -readonly [K in keyof FailureContext]: FailureContext[K] },
): Promise<void> {
  const values = parseCommandArgs('host', args);
  const dataDir = resolve(requiredOption('host', values, 'data-dir'));
  context.dataDir = dataDir;
  const text = (name: keyof typeof values): string | undefined =>
    typeof values[name] === 'string' && values[name] !== '' ? (values[name] as string) : undefined;
  const tlsCert = text('tls-cert');
  const tlsKey = text('tls-key');
  const trustedProxy = text('trusted-proxy')
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const secretsKeyFile = text('secrets-key-file');
  const secretsCredential = text('secrets-credential');
  const options = hostOptionsFrom({
    dataDir,
    publicUrl: requiredOption('host', values, 'public-url'),
    listen: requiredOption('host', values, 'listen'),
    ...(tlsCert ? { tlsCert: resolve(tlsCert) } : {}),
    ...(tlsKey ? { tlsKey: resolve(tlsKey) } : {}),
    ...(values['behind-proxy'] ? { behindProxy: true } : {}),
    ...(trustedProxy?.length ? { trustedProxy } : {}),
    ...(secretsKeyFile ? { secretsKeyFile: resolve(secretsKeyFile) } : {}),
    ...(secretsCredential ? { secretsCredential } : {}),
  });
  context.ports = { listen: options.listen.port };
  const workspace = text('workspace');
  const ownerEmail = text('owner-email');
  const ownerName = text('owner-name');
  if (Boolean(workspace) !== Boolean(ownerEmail))
    throw new UsageError(
      'parameter_missing',
      '--workspace and --owner-email go together on a first start.',
      'Give both, e.g. --workspace "Acme Agency" --owner-email you@agency.example',
    );
  const { startTeamHost } = await import('./run-host');
  const host = await startTeamHost({
    ...options,
    ...(workspace && ownerEmail ? { firstRun: { workspace, ownerEmail, ...(ownerName ? { ownerName } : {}) } } : {}),
  });
  const out = process.stdout;
  if (host.created)
    out.write(
      `Workspace created (${host.created.workspaceId}).\nWorkspace API key (shown once): ${host.created.apiKey}\n`,
    );
  out.write(`Postroom host: ${host.publicUrl} (listening on ${options.listen.host}:${host.server.port})\n`);
  if (host.ownerSetup)
    out.write(
      `The owner (${host.ownerSetup.email}) has no password yet. On a desk, choose "Join a team host", ` +
        `enter ${host.publicUrl} and this code (valid until ${host.ownerSetup.expiresAt}):\n${host.ownerSetup.code}\n`,
    );
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void host.stop().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', () => {
      try {
        host.reloadTls();
        out.write('TLS certificate reloaded.\n');
      } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      }
    });
  });
  out.write('Postroom host stopped.\n');
}
