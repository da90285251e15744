import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src-main/engine/kernel/clock';
import { Engine } from '../src-main/engine/engine';
import { MemorySecretStore } from '../src-main/engine/secrets/memory-store';
import { buildAgency } from './lib/dataset';

/*
 * Search over post text (issue 10 item 6) on the bench's history fixture: the first page (50, by
 * keyset cursor) for a word in every post, a word in one post, and one client's posts with a word,
 * through `post.list` as the queue asks. `npx tsx bench/search.ts [deliveries] [clients]`.
 */
const deliveries = Number(process.argv[2] ?? 1_000_000);
const clients = Number(process.argv[3] ?? 200);
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'postroom-bench-search-'));
  try {
    const t0 = performance.now();
    const agency = await buildAgency({ dataDir: dir, deliveries, clients, shape: 'history' });
    console.log(`built ${deliveries.toLocaleString('en')} deliveries in ${Math.round(performance.now() - t0)} ms`);
    const engine = await Engine.open({ dataDir: dir, secrets: new MemorySecretStore(), clock: systemClock });
    const cases: [string, Record<string, unknown>][] = [
      ['every post ("offers")', { query: { search: 'offers', perPage: 50 } }],
      ['one post ("Post 123457")', { query: { search: 'Post 123457', perPage: 50 } }],
      [
        'one client, every post of theirs ("news")',
        { userId: agency.userIds[7], query: { search: 'news', perPage: 50 } },
      ],
      ['no post ("nothing")', { query: { search: 'nothing', perPage: 50 } }],
      ['failed, every post ("link")', { query: { search: 'link', state: 'failed', perPage: 50 } }],
    ];
    for (const [name, request] of cases) {
      const times: number[] = [];
      let shown = 0;
      let total = 0;
      for (let i = 0; i < 15; i++) {
        const s = performance.now();
        const page = (await engine.call('post.list', { workspaceId: agency.workspaceId, ...request })) as {
          groups: unknown[];
          total: number;
        };
        times.push(performance.now() - s);
        shown = page.groups.length;
        total = page.total;
      }
      times.sort((a, b) => a - b);
      console.log(
        `${name}: median ${times[7]!.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms ` +
          `(${shown} shown, total ${total})`,
      );
    }
    engine.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
