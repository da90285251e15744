import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { lookup } from 'node:dns';
import { generate } from 'selfsigned';
import WebSocket from 'ws';
import { DESK_PATHS, type DeskSession } from '../../src-shared/team-protocol';

/*
 * The parts of a test team host that need no test runner (issue 12): the test certificate, the
 * real `postroom host` command in a child process, and talking to a host as a desk does. Vitest
 * tests use them through ./team-host.ts (which adds an in-process host and cleans temporary
 * folders up); Playwright specs import them from here.
 */

/**
 * A public name for a test host, for what refuses IP addresses, loopback names and special-use
 * domains (.test, .example, .local…): a Bluesky client_id and its redirect URI. Only this machine
 * knows it: `testHostLookup` here, the test PDS's `--loopback-names` there.
 */
export const TEAM_HOST_PUBLIC_NAME = 'postroom-host.internal';

/** dns.lookup, with the test host's public name answered by loopback (as an /etc/hosts line would). */
export const testHostLookup = ((hostname: string, options: LookupOptions, callback: LookupCallback) => {
  if (hostname !== TEAM_HOST_PUBLIC_NAME) return lookup(hostname, options, callback as never);
  process.nextTick(() =>
    options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
  );
}) as unknown as typeof lookup;
type LookupOptions = { all?: boolean } & Record<string, unknown>;
type LookupCallback = (
  err: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/** A temporary folder (the caller removes it; ./team-host.ts passes its self-cleaning `tempDir`). */
const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export const TEST_HOST_NAMES = ['127.0.0.1', 'localhost', 'postroom-host.test', TEAM_HOST_PUBLIC_NAME] as const;

export interface TestCertificate {
  /** PEM of the test CA: what a desk trusts (`ca` of Node's TLS, NODE_EXTRA_CA_CERTS, Chromium's policy). */
  ca: string;
  caFile: string;
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a server certificate signed by it, written to a temporary folder. */
export async function makeTestCertificate(dir = scratch('postroom-tls-')): Promise<TestCertificate> {
  const ca = await generate([{ name: 'commonName', value: 'Postroom test CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'postroom-host.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
          { type: 2, value: 'postroom-host.test' },
          { type: 2, value: TEAM_HOST_PUBLIC_NAME },
        ],
      },
    ],
  });
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'host.pem'), keyFile: join(dir, 'host-key.pem') };
  writeFileSync(files.caFile, ca.cert);
  writeFileSync(files.certFile, server.cert);
  writeFileSync(files.keyFile, server.private, { mode: 0o600 });
  return { ca: ca.cert, cert: server.cert, key: server.private, ...files };
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

// ---- talking to a host as a desk does ----------------------------------------------------------

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

/** One HTTPS request that trusts only the test CA (no global TLS setting is touched). */
export function hostRequest<T = unknown>(
  url: string,
  ca: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<HttpAnswer<T>> {
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return new Promise((done, fail) => {
    const req = httpsRequest(
      url,
      {
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        ca,
        lookup: testHostLookup,
        // A forged Host header must not change which name the certificate is checked against.
        checkServerIdentity: (_host, cert) => checkServerIdentity(new URL(url).hostname, cert),
        headers: {
          ...(body !== undefined && init.rawBody === undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: a page
          }
          done({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T, text });
        });
      },
    );
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A desk's contract socket to the host: calls with ids, events collected, the close code kept. */
export class DeskSocket {
  readonly events: { event: string; payload: unknown }[] = [];
  closed: { code: number; reason: string } | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();
  private readonly closedOnce: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; event?: string; payload?: unknown };
      if (message.event) this.events.push({ event: message.event, payload: message.payload });
      else if (typeof message.id === 'number') this.waiting.get(message.id)?.(message.result);
    });
    this.closedOnce = new Promise((done) =>
      socket.on('close', (code, reason) => {
        this.closed = { code, reason: String(reason) };
        done(this.closed);
      }),
    );
  }

  /** Opens the socket with a session token; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, ca: string, token: string | null): Promise<DeskSocket> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${DESK_PATHS.contract}`, {
      ca,
      lookup: testHostLookup,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return new Promise((done, fail) => {
      socket.once('open', () => done(new DeskSocket(socket)));
      socket.once('unexpected-response', (_req, res) =>
        fail(Object.assign(new Error('refused'), { status: res.statusCode })),
      );
      socket.once('error', fail);
    });
  }

  call<T = unknown>(
    channel: string,
    request: unknown = {},
    idempotencyKey?: string,
  ): Promise<{ ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } }> {
    const id = this.nextId++;
    return new Promise((done) => {
      this.waiting.set(id, done as (r: unknown) => void);
      this.socket.send(JSON.stringify({ id, channel, request, ...(idempotencyKey ? { idempotencyKey } : {}) }));
    });
  }

  /** A change, sent as the protocol says: with a fresh idempotency key. */
  change<T = unknown>(channel: string, request: unknown = {}) {
    return this.call<T>(channel, request, crypto.randomUUID());
  }

  whenClosed(): Promise<{ code: number; reason: string }> {
    return this.closedOnce;
  }

  close(): void {
    this.socket.close();
  }
}

/** Signs in (or joins) over HTTPS and returns the session. */
export async function deskSignIn(
  url: string,
  ca: string,
  input: { email: string; password: string; deviceName?: string },
): Promise<HttpAnswer<DeskSession>> {
  return hostRequest<DeskSession>(`${url}${DESK_PATHS.signIn}`, ca, {
    body: { deviceName: 'Test desk', ...input },
  });
}

export async function deskJoin(
  url: string,
  ca: string,
  input: { invitationCode: string; name: string; password: string; deviceName?: string },
): Promise<HttpAnswer<DeskSession>> {
  return hostRequest<DeskSession>(`${url}${DESK_PATHS.join}`, ca, { body: { deviceName: 'Test desk', ...input } });
}

// ---- the real command in a child process ---------------------------------------------------------

export interface HostProcess {
  url: string;
  tls: TestCertificate;
  dataDir: string;
  keyFile: string;
  port: number;
  /** Printed at the first start: the workspace API key (once) and the owner's sign-in code. */
  workspaceApiKey: string | null;
  ownerCode: string | null;
  child: ChildProcess;
  /** Everything the process printed, for assertions and failure messages. */
  output(): string;
  /** SIGKILL: no graceful stop. */
  kill(): Promise<void>;
  /** Starts the command again on the same data folder, key and port. */
  restart(): Promise<HostProcess>;
  /** SIGTERM and wait for "Postroom host stopped." */
  stop(): Promise<void>;
}

const CLI = resolve(__dirname, '../../src-main/cli.ts');

/**
 * `postroom host` as a person runs it, on 127.0.0.1 over TLS with the test certificate, a fresh
 * data folder and a secrets key file of its own (the encrypted store; no keychain needed).
 */
export async function startHostProcess(
  options: {
    tls?: TestCertificate;
    port?: number;
    dataDir?: string;
    keyFile?: string;
    env?: NodeJS.ProcessEnv;
    /** Makes the temporary folders not given (default: under the OS's temporary folder). */
    makeDir?: (prefix: string) => string;
    /**
     * Plain http on loopback (a trial on one machine, D89): for tests whose local platform servers
     * fetch from the host's public URL with Node's fetch, which trusts no test CA.
     */
    plainHttp?: boolean;
    /**
     * Listen on this port rather than the public URL's: something in front (./cuttable-link.ts)
     * holds the public port, as a reverse proxy would.
     */
    listenPort?: number;
  } = {},
): Promise<HostProcess> {
  const makeDir = options.makeDir ?? scratch;
  const tls = options.tls ?? (await makeTestCertificate(makeDir('postroom-tls-')));
  const dataDir = options.dataDir ?? makeDir('postroom-host-');
  const keyFile = options.keyFile ?? join(makeDir('postroom-key-'), 'secrets.key');
  if (!options.keyFile) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const port = options.port ?? (await freePort());
  const url = `${options.plainHttp ? 'http' : 'https'}://127.0.0.1:${port}`;
  // One process (node with tsx's loader), so that SIGKILL kills the host itself, not a wrapper.
  const args = [
    '--import',
    'tsx',
    CLI,
    'host',
    '--data-dir',
    dataDir,
    '--public-url',
    url,
    '--listen',
    `127.0.0.1:${options.listenPort ?? port}`,
    ...(options.plainHttp ? [] : ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile]),
    '--secrets-key-file',
    keyFile,
    '--workspace',
    'Acme Agency',
    '--owner-email',
    'olivia@agency.test',
    '--owner-name',
    'Olivia Owner',
  ];
  const child = spawn(process.execPath, args, {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise<void>((done, fail) => {
    const timer = setInterval(() => {
      if (
        /Postroom host: /.test(output) &&
        (!/has no password yet/.test(output) || /\n[A-Za-z0-9_-]{32}\n/.test(output))
      ) {
        clearInterval(timer);
        done();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      fail(new Error(`postroom host exited before it was ready:\n${output}`));
    });
  });
  const started: HostProcess = {
    url,
    tls,
    dataDir,
    keyFile,
    port,
    workspaceApiKey: /Workspace API key \(shown once\): (\S+)/.exec(output)?.[1] ?? null,
    ownerCode: /\n([A-Za-z0-9_-]{32})\n/.exec(output)?.[1] ?? null,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    restart: () =>
      startHostProcess({
        tls,
        port,
        dataDir,
        keyFile,
        ...(options.env ? { env: options.env } : {}),
        ...(options.plainHttp ? { plainHttp: true } : {}),
        ...(options.listenPort ? { listenPort: options.listenPort } : {}),
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
  return started;
}

/** An HTTPS agent that trusts the test CA, for libraries that take one. */
export const agentFor = (tls: TestCertificate) => new Agent({ ca: tls.ca });
