import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tokenAccount } from '../../src-main/engine/queries/tokens';
import { DATABASE_FILE } from '../../src-main/engine/db/database';
import { Engine } from '../../src-main/engine/engine';
import type { Clock } from '../../src-main/engine/kernel/clock';
import { MemorySecretStore } from '../../src-main/engine/secrets/memory-store';
import type { SecretStore } from '../../src-main/engine/secrets/secret-store';

/*
 * An agency's data folder after years of work, made fast: the workspace, its clients and their
 * connections through the engine (so every migration and rule ran), then the post groups and
 * deliveries with bulk SQL in one transaction into the same file.
 */

export type Shape =
  /** Two years of history and a month ahead: mostly published, some failed, cancelled, drafts; the future scheduled. */
  | 'history'
  /** Everything scheduled, from tomorrow on over a year (the idle scheduler's database). */
  | 'future'
  /** Everything scheduled and due a moment ago (a dispatch run). */
  | 'due';

export interface AgencyOptions {
  dataDir: string;
  deliveries: number;
  clients: number;
  shape: Shape;
  /** Both connections of every client are Mastodon accounts on this instance (the dispatch benchmark). */
  mastodonUrl?: string;
  mastodonToken?: string;
  clock?: Clock;
  /** Where the connections' tokens go (default: in memory, for benchmarks that run the engine in this process). */
  secrets?: SecretStore;
}

export interface Agency {
  workspaceId: string;
  userIds: string[];
  profileId: string;
  /** The keychain stand-in holding the connections' tokens (the benchmarks run in this process). */
  secrets: SecretStore;
  /** Each client's two platformIds. */
  platformIds: [string, string][];
  now: Date;
}

/**
 * The `i`-th timed post of a lateness run, due at `at`: the agency's clients take turns, each
 * posting to both of its accounts. The same posts whether made in process (bench/dispatch.ts) or
 * by a desk through a team host (bench/host.ts).
 */
export function timedPostRequest(agency: Agency, i: number, at: number, text: string) {
  const k = i % agency.userIds.length;
  return {
    workspaceId: agency.workspaceId,
    userId: agency.userIds[k]!,
    post: { text, platformIds: agency.platformIds[k]!, scheduledTime: new Date(at).toISOString() },
  };
}

const DAY_S = 24 * 60 * 60;

export async function buildAgency(options: AgencyOptions): Promise<Agency> {
  const clock = options.clock ?? { now: () => new Date() };
  const now = clock.now();
  const secrets = options.secrets ?? new MemorySecretStore();
  const engine = await Engine.open({ dataDir: options.dataDir, secrets, clock });
  let agency: Omit<Agency, 'now'>;
  try {
    agency = await setUpAgency(engine, secrets, options);
  } finally {
    engine.close();
  }
  if (options.deliveries >= 2) bulkInsertPosts(options, agency, now);
  return { ...agency, now };
}

async function setUpAgency(engine: Engine, secrets: SecretStore, options: AgencyOptions) {
  const state = await engine.call('app.setup', {
    ownerName: 'Bench Owner',
    ownerEmail: 'owner@bench.test',
    password: 'bench password',
    workspace: {
      name: 'Bench Agency',
      planId: 'enterprise',
      integrations: options.mastodonUrl
        ? [
            {
              platform: 'mastodon',
              clientId: 'bench-app',
              clientSecret: 'bench-secret',
              instanceUrl: options.mastodonUrl,
            },
          ]
        : [],
    },
  });
  const workspaceId = state.currentWorkspaceId!;
  const userIds: string[] = [];
  const platformIds: [string, string][] = [];
  const platforms = options.mastodonUrl ? (['mastodon', 'mastodon'] as const) : (['mastodon', 'bluesky'] as const);
  for (let k = 0; k < options.clients; k++) {
    const user = await engine.call('client.create', {
      workspaceId,
      client: { email: `client${k}@bench.test`, displayName: `Client ${k}`, timezone: 'Europe/Paris' },
    });
    userIds.push(user.id);
    const pair: string[] = [];
    for (const [slot, platform] of platforms.entries()) {
      const accountId = `${1000 + k}${slot}`;
      const connectionId = `conn_bench_${k}_${slot}`;
      const iso = new Date().toISOString();
      engine.ctx.db
        .prepare(
          `INSERT INTO connections (id, workspace_id, managed_user_id, platform, account_id, platform_id, handle,
                                    display_name, status, connected_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
        )
        .run(
          connectionId,
          workspaceId,
          user.id,
          platform,
          accountId,
          `${platform}-${accountId}`,
          `client${k}`,
          `Client ${k}`,
          iso,
          iso,
        );
      await secrets.set(
        tokenAccount(engine.ctx.installId, connectionId),
        JSON.stringify({ accessToken: options.mastodonToken ?? 'bench-token', refreshToken: null, expiresAt: null }),
      );
      pair.push(`${platform}-${accountId}`);
    }
    platformIds.push(pair as [string, string]);
  }
  const profileId = state.profile!.id;
  return { workspaceId, userIds, profileId, secrets, platformIds };
}

/** Post groups of two deliveries each, spread over the clients and over time, in one transaction. */
function bulkInsertPosts(options: AgencyOptions, agency: Omit<Agency, 'now'>, now: Date): void {
  const db = new Database(join(options.dataDir, DATABASE_FILE));
  try {
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const groups = Math.floor(options.deliveries / 2);
    const nowS = Math.floor(now.getTime() / 1000);
    const [start, span] =
      options.shape === 'history'
        ? [nowS - 730 * DAY_S, 760 * DAY_S]
        : options.shape === 'future'
          ? [nowS + DAY_S, 365 * DAY_S]
          : [nowS - 1, 0];
    const step = span / Math.max(1, groups);
    db.transaction(() => {
      db.exec(`CREATE TEMP TABLE bench_clients (k INTEGER PRIMARY KEY, id TEXT NOT NULL)`);
      db.exec(
        `CREATE TEMP TABLE bench_targets (k INTEGER, slot INTEGER, platform TEXT, platform_id TEXT,
                                          PRIMARY KEY (k, slot))`,
      );
      const addClient = db.prepare(`INSERT INTO temp.bench_clients (k, id) VALUES (?, ?)`);
      const addTarget = db.prepare(`INSERT INTO temp.bench_targets VALUES (?, ?, ?, ?)`);
      agency.userIds.forEach((id, k) => {
        addClient.run(k, id);
        agency.platformIds[k]!.forEach((pid, slot) => addTarget.run(k, slot, pid.split('-', 1)[0], pid));
      });
      // The plan of every group: its client, its time, its fate. Hashes of n instead of random()
      // keep the data the same from run to run.
      db.prepare(
        `CREATE TEMP TABLE bench_plan AS
         WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ? - 1)
         SELECT n, CAST(n % ? AS INTEGER) AS k, CAST(? + n * ? + ((n * 7919) % 600) * (? > 0) AS INTEGER) AS t,
                (n * 2654435761) % 1000 AS h
         FROM seq`,
      ).run(groups, options.clients, start, step, span);
      db.prepare(
        `CREATE TEMP TABLE bench_fate AS SELECT n, k, t,
           CASE WHEN ? != 'history' THEN 'scheduled'
                WHEN h >= 970 THEN 'draft'
                WHEN t > ? THEN 'scheduled'
                WHEN h < 20 THEN 'failed'
                WHEN h < 50 THEN 'cancelled'
                WHEN h < 60 THEN 'needs_attention'
                ELSE 'published' END AS fate,
           strftime('%Y-%m-%dT%H:%M:%fZ', t, 'unixepoch') AS at,
           strftime('%Y-%m-%dT%H:%M:%fZ', t - 3 * 86400 + (n % 3600), 'unixepoch') AS made
         FROM temp.bench_plan`,
      ).run(options.shape, nowS);
      db.prepare(
        `INSERT INTO post_groups (id, workspace_id, managed_user_id, text, platform_texts, scheduled_at, created_at,
                                  updated_at, created_by)
         SELECT 'pg_bench' || f.n, ?, c.id,
                'Post ' || f.n || ' for client ' || f.k || ': news, offers and a link https://example.com/' || f.n,
                '{}', CASE WHEN f.fate = 'draft' THEN NULL ELSE f.at END, f.made, f.made, ?
         FROM temp.bench_fate f JOIN temp.bench_clients c ON c.k = f.k ORDER BY f.n`,
      ).run(agency.workspaceId, agency.profileId);
      db.prepare(
        `INSERT INTO deliveries (id, post_group_id, managed_user_id, platform_id, platform, state, due_at, local_day,
                                 next_attempt_at, attempts, idempotency_key, platform_post_id, platform_post_url,
                                 last_error, published_at, updated_at)
         SELECT 'dlv_bench' || n || '_' || slot, 'pg_bench' || n, uid, platform_id, platform, state,
                CASE WHEN fate = 'draft' THEN NULL ELSE at END,
                CASE WHEN fate = 'draft' THEN NULL ELSE substr(at, 1, 10) END,
                CASE WHEN state = 'scheduled' THEN at END,
                CASE WHEN state IN ('published', 'failed', 'needs_attention') THEN 1 ELSE 0 END,
                'idem-bench-' || n || '-' || slot,
                CASE WHEN state = 'published' THEN '10' || n || slot END,
                CASE WHEN state = 'published' THEN 'https://social.example/@client' || k || '/10' || n || slot END,
                CASE WHEN state = 'failed' THEN 'the platform refused the post (422)' END,
                CASE WHEN state = 'published' THEN at END,
                CASE WHEN fate = 'draft' THEN made ELSE at END
         FROM (SELECT f.n, f.k, f.at, f.made, f.fate, x.slot, x.platform, x.platform_id, c.id AS uid,
                      CASE WHEN f.fate = 'failed' AND x.slot = 1 THEN 'published' ELSE f.fate END AS state
               FROM temp.bench_fate f
               JOIN temp.bench_clients c ON c.k = f.k
               JOIN temp.bench_targets x ON x.k = f.k)
         ORDER BY n, slot`,
      ).run();
      db.exec(
        `DROP TABLE temp.bench_plan; DROP TABLE temp.bench_fate;
         DROP TABLE temp.bench_clients; DROP TABLE temp.bench_targets`,
      );
    })();
  } finally {
    db.close();
  }
}
