import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { startApp } from '../src-main/app';
import { MemorySecretStore } from '../src-main/engine/secrets/memory-store';
import { figure, round, type Figure } from './lib/figures';

/*
 * `rest_users`: throughput of `GET /api/v1/workspace/users` on loopback, measured side by side
 * with a bare Fastify hello-world on the same machine (the baseline). Target: at least 0.5×.
 */

const CONNECTIONS = 10;

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

/** The load comes from a second process (autocannon's CLI), so it does not share the server's event loop. */
async function measure(title: string, url: string, seconds: number, headers: Record<string, string> = {}) {
  const args = [
    join(process.cwd(), 'node_modules/autocannon/autocannon.js'),
    '--json',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
  ];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await promisify(execFile)(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as AutocannonResult;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${title}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  console.log(
    `  ${title.padEnd(40)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${result.latency.p99} ms`,
  );
  return result;
}

export async function restUsersFigure(quick: boolean): Promise<Figure> {
  const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 8));
  const baseline = Fastify({ logger: false });
  baseline.get('/', async () => ({ hello: 'world' }));
  await baseline.listen({ host: '127.0.0.1', port: 0 });
  const baselineUrl = `http://127.0.0.1:${(baseline.server.address() as { port: number }).port}/`;

  // The in-memory secret store stands in for the keychain: the list route never reads a secret.
  const dataDir = mkdtempSync(join(tmpdir(), 'postroom-bench-rest-'));
  const app = await startApp({
    dataDir,
    secrets: new MemorySecretStore(),
    loopback: { rateLimitPerMinute: 100_000_000 },
  });
  const bodyBaseline = Fastify({ logger: false });
  try {
    const { apiKey, workspace } = await app.engine.createOwnerWithWorkspace({
      ownerName: 'Bench',
      ownerEmail: 'bench@postroom.test',
      password: 'bench password',
      workspace: { name: 'Bench Agency', workspaceType: 'iframe embed', planId: 'enterprise', integrations: [] },
    });
    await app.engine.signIn(app.engine.state().profiles[0]!.id, 'bench password', workspace.id);
    for (let i = 0; i < 20; i++) {
      await app.engine.call('client.create', {
        workspaceId: workspace.id,
        client: { email: `client${i}@bench.test`, displayName: `Client ${i}` },
      });
    }
    // A second reference: the same framework sending the very same 20-user body, with no work at
    // all, shows how much of the gap is the size of the answer rather than Postroom's own work.
    const sameBody = await (
      await fetch(`${app.apiUrl}/api/v1/workspace/users`, { headers: { 'x-publora-key': apiKey } })
    ).text();
    bodyBaseline.get('/', async (_request, reply) => reply.type('application/json').send(sameBody));
    await bodyBaseline.listen({ host: '127.0.0.1', port: 0 });
    const bodyBaselineUrl = `http://127.0.0.1:${(bodyBaseline.server.address() as { port: number }).port}/`;

    const base = await measure('baseline: bare Fastify hello-world', baselineUrl, seconds);
    const sameBodyRate = await measure('reference: bare Fastify, same body', bodyBaselineUrl, seconds);
    const users = await measure('GET /api/v1/workspace/users', `${app.apiUrl}/api/v1/workspace/users`, seconds, {
      'x-publora-key': apiKey,
    });
    const ratio = users.requests.average / base.requests.average;
    return figure(
      {
        name: 'rest_users',
        value: round(users.requests.average),
        unit: 'req/s',
        baseline: round(base.requests.average),
        ratio,
        target: 0.5,
        target_of: 'ratio',
        better: 'higher',
        p99_ms: users.latency.p99,
        same_body_req_s: round(sameBodyRate.requests.average),
        ratio_to_same_body: round(users.requests.average / sameBodyRate.requests.average),
        connections: CONNECTIONS,
        seconds,
        what: 'GET /api/v1/workspace/users (20 clients) vs a bare Fastify hello-world, autocannon from another process',
      },
      quick,
    );
  } finally {
    await bodyBaseline.close();
    await app.stop();
    await baseline.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
