import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { KeyringSession } from './private-keyring';
import type { TestCertificate } from './team-host-process';

/*
 * A desk as a person runs it (issue 12): `postroom serve` on a data folder, trusting the team
 * host's test CA the ordinary Node way (NODE_EXTRA_CA_CERTS), on a keyring session of its own.
 * No test runner here: Playwright specs use it.
 */

const repoRoot = resolve(__dirname, '../..');

export interface Desk {
  uiUrl: string;
  /** The desk's own process (node with tsx's loader: no wrapper), whose connections ./cuttable-link.ts can cut. */
  pid: number;
  stop(): Promise<number | null>;
  output(): string;
}

/**
 * `postroom serve` on a data folder (fresh, or one it used before); trusting the host's CA when the
 * host speaks TLS, on a keyring session of its own when given one (else the test's own keyring).
 */
export function startDeskProcess(dataDir: string, tls?: TestCertificate, keyring?: KeyringSession): Promise<Desk> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/cli.ts', 'serve', '--data-dir', dataDir, '--ui-port', '0', '--api-port', '0'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...keyring?.env, ...(tls ? { NODE_EXTRA_CA_CERTS: tls.caFile } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    return exited;
  };
  return new Promise((done, fail) => {
    const timer = setInterval(() => {
      const uiUrl = /Postroom UI: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out)?.[1];
      if (uiUrl) {
        clearInterval(timer);
        done({ uiUrl, pid: child.pid!, stop, output: () => out });
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      fail(new Error(`postroom serve exited (${code}) before printing its URL:\n${out}`));
    });
  });
}
