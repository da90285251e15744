import { isIP } from 'node:net';
import { AppError } from '../engine/kernel/errors';
import type { SecretsKeySource } from '../engine/secrets/encrypted-file-store';

/**
 * `postroom host` (SPEC §12, issue 12 item 1): what its command line may say, checked before
 * anything starts. Every refusal is one sentence and what to do (`details.fix`), exit code 1.
 */

/** How the host's HTTPS reaches people: its own TLS, a TLS-terminating proxy in front, or loopback only. */
export type Transport =
  | { kind: 'tls'; certFile: string; keyFile: string }
  | { kind: 'behind-proxy'; trustedProxies: readonly string[] }
  | { kind: 'loopback-http' };

export interface HostOptions {
  dataDir: string;
  /** The URL people and desks use, without a trailing slash: `https://postroom.agency.example`. */
  publicUrl: URL;
  listen: { host: string; port: number };
  transport: Transport;
  /** Where secrets go: the OS keychain, or the encrypted file sealed with this key. */
  secrets: { kind: 'keychain' } | { kind: 'encrypted-file'; key: SecretsKeySource };
}

export interface HostArgs {
  dataDir: string;
  publicUrl: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  behindProxy?: boolean;
  trustedProxy?: readonly string[];
  secretsKeyFile?: string;
  secretsCredential?: string;
}

function refuse(message: string, fix: string): AppError {
  return new AppError('validation_failed', message, { fix });
}

/** Loopback addresses: the only ones a host may listen on without TLS or a proxy. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.toLowerCase() === '::ffff:127.0.0.1';
  return false;
}

/** `ADDR:PORT`, `[v6]:PORT` or `:PORT` (all interfaces). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535)
    throw refuse(
      `--listen ${value} is not an address and port.`,
      'Write it as ADDR:PORT, e.g. --listen 127.0.0.1:8443, --listen 0.0.0.0:443 or --listen [::]:443.',
    );
  const host = match[1] ?? (match[2] || '0.0.0.0');
  if (host !== 'localhost' && isIP(host) === 0)
    throw refuse(
      `--listen ${value} does not name an IP address.`,
      'Give an IP address of this machine (or 0.0.0.0 for all), e.g. --listen 0.0.0.0:8443.',
    );
  return { host, port };
}

function parsePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(
      `--public-url ${value} is not a URL.`,
      'Give the address people will open, e.g. --public-url https://postroom.agency.example',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw refuse(
      `--public-url must be an https:// address, not ${url.protocol}.`,
      'E.g. https://postroom.agency.example',
    );
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    throw refuse(
      `--public-url ${value} must be an origin only (no path, query or credentials).`,
      `Give ${url.protocol}//${url.host} and serve the host at the root of that name.`,
    );
  return new URL(url.origin);
}

/**
 * The rules, in order: TLS and a proxy exclude each other; TLS needs both files; a public URL on
 * http is only for a host on loopback (a trial on one machine); listening beyond loopback needs
 * TLS or `--behind-proxy`.
 */
export function hostOptionsFrom(args: HostArgs): HostOptions {
  const listen = parseListen(args.listen);
  const publicUrl = parsePublicUrl(args.publicUrl);
  const loopback = isLoopbackAddress(listen.host);
  const where = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;

  if ((args.tlsCert || args.tlsKey) && args.behindProxy)
    throw refuse(
      'Give either --tls-cert/--tls-key or --behind-proxy, not both.',
      'Use --tls-cert and --tls-key when the host itself serves HTTPS; ' +
        '--behind-proxy when a reverse proxy in front of it does.',
    );
  if (Boolean(args.tlsCert) !== Boolean(args.tlsKey))
    throw refuse(
      `--tls-cert and --tls-key go together; ${args.tlsCert ? '--tls-key' : '--tls-cert'} is missing.`,
      'Give both files: the certificate chain (PEM) and its private key (PEM).',
    );
  if (args.trustedProxy?.length && !args.behindProxy)
    throw refuse('--trusted-proxy only means something with --behind-proxy.', 'Add --behind-proxy, or leave it out.');

  let transport: Transport;
  if (args.tlsCert && args.tlsKey) transport = { kind: 'tls', certFile: args.tlsCert, keyFile: args.tlsKey };
  else if (args.behindProxy)
    transport = { kind: 'behind-proxy', trustedProxies: ['127.0.0.1', '::1', ...(args.trustedProxy ?? [])] };
  else if (loopback) transport = { kind: 'loopback-http' };
  else
    throw refuse(
      `postroom host will not listen on ${where} without TLS.`,
      'Give --tls-cert FILE --tls-key FILE, or --behind-proxy when a reverse proxy in front of it terminates TLS, ' +
        'or listen on 127.0.0.1 only.',
    );

  if (publicUrl.protocol === 'http:' && transport.kind !== 'loopback-http')
    throw refuse(
      `--public-url ${publicUrl.origin} is plain http, but this host is meant to be reached from other machines.`,
      `Give its https:// address, e.g. --public-url https://${publicUrl.host}`,
    );
  if (publicUrl.protocol === 'http:' && !isLoopbackAddress(publicUrl.hostname))
    throw refuse(
      `--public-url ${publicUrl.origin} is plain http on a name other machines use.`,
      'Serve it over TLS (--tls-cert/--tls-key or --behind-proxy) and give its https:// address.',
    );

  if (publicUrl.protocol === 'https:' && transport.kind === 'loopback-http')
    throw refuse(
      `--public-url ${publicUrl.origin} is https, but this host would serve plain http with nothing in front of it.`,
      'Give --tls-cert FILE --tls-key FILE, or --behind-proxy when a reverse proxy on this machine terminates TLS.',
    );
  if (args.secretsKeyFile && args.secretsCredential)
    throw refuse(
      'Give either --secrets-key-file or --secrets-credential, not both.',
      'One key seals the secrets of a data folder: name the file, or the systemd credential that holds it.',
    );
  const secrets: HostOptions['secrets'] = args.secretsKeyFile
    ? { kind: 'encrypted-file', key: { kind: 'file', path: args.secretsKeyFile } }
    : args.secretsCredential
      ? { kind: 'encrypted-file', key: { kind: 'credential', name: args.secretsCredential } }
      : { kind: 'keychain' };

  return { dataDir: args.dataDir, publicUrl, listen, transport, secrets };
}
