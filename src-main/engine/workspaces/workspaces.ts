import slugify from '@sindresorhus/slugify';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  CreateWorkspaceInput,
  type LayoutType,
  type Plan,
  type PlanId,
  type Workspace,
  type WorkspaceType,
} from '../../../src-shared/contract';
import { authorize, type Principal } from '../kernel/access';
import { recordActivity, recordActivityOf, type Actor } from '../kernel/activity';
import { insertApiKey, mintApiKey, apiKeySecretAccount, replaceApiKey } from '../queries/api-keys';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { decodeUpload, readLogo, type Logo } from './logos';
import type { EngineContext } from '../kernel/context';
import { getPlan, getWorkspace, insertIntegration } from '../queries/workspaces';

export type CreateWorkspaceRequest = z.output<typeof CreateWorkspaceInput>;

/** Seed 001: a `jwt full embed` workspace opens focused on one client; every other type gets the left navigation. */
export const layoutFor = (type: WorkspaceType): LayoutType =>
  type === 'jwt full embed' ? 'no navigation' : 'left navigation';

export function systemTimezone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && IANAZone.isValidZone(zone) ? zone : 'UTC';
}

/** `acme`, then `acme-2`, `acme-3`… unique across the install. */
export function uniqueSlug(db: Db, name: string): string {
  const base = slugify(name).slice(0, 60).replace(/-+$/, '') || 'workspace';
  const taken = new Set(
    db
      .prepare<[string, string], { slug: string }>(`SELECT slug FROM workspaces WHERE slug = ? OR slug LIKE ? || '-%'`)
      .all(base, base)
      .map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export interface CreatedWorkspace {
  workspace: Workspace;
  /** The workspace API key, shown once. */
  apiKey: string;
}

/**
 * Creates a workspace with its logos, integrations, owner membership, subscription, transaction,
 * workspace API key and activity entry. Everything is checked before anything is written; keychain
 * writes come first and are undone if the database transaction fails, so nothing is half-made.
 */
export async function createWorkspace(
  ctx: EngineContext,
  input: CreateWorkspaceRequest,
  actor: Actor,
  ownerProfileId: string,
): Promise<CreatedWorkspace> {
  const timezone = input.timezone ?? systemTimezone();
  if (!IANAZone.isValidZone(timezone)) {
    throw new AppError('validation_failed', `timezone "${timezone}" is not an IANA time zone`, {
      fields: { timezone: 'unknown time zone' },
    });
  }
  const logos: { kind: 'square' | 'image'; logo: Logo }[] = [];
  if (input.squareLogo)
    logos.push({ kind: 'square', logo: await readLogo('squareLogo', decodeUpload(input.squareLogo)) });
  if (input.imageLogo) logos.push({ kind: 'image', logo: await readLogo('imageLogo', decodeUpload(input.imageLogo)) });

  const now = ctx.clock.now();
  const workspaceId = newId('ws');
  const apiKey = mintApiKey();
  const integrations = input.integrations.map((i) => ({
    ...i,
    id: newId('int'),
    secretAccount: i.clientSecret ? `${ctx.installId}/integration/${workspaceId}/${i.platform}` : null,
  }));

  const written: string[] = [];
  try {
    for (const i of integrations) {
      if (i.secretAccount && i.clientSecret) {
        await ctx.secrets.set(i.secretAccount, i.clientSecret);
        written.push(i.secretAccount);
      }
    }
    const keyAccount = apiKeySecretAccount(ctx.installId, apiKey.id);
    await ctx.secrets.set(keyAccount, apiKey.raw);
    written.push(keyAccount);

    ctx.db.transaction(() => {
      const plan = getPlan(ctx.db, input.planId);
      const slug = uniqueSlug(ctx.db, input.name);
      const iso = now.toISOString();
      ctx.db
        .prepare(
          `INSERT INTO workspaces
             (id, name, slug, workspace_type, layout_type, plan_id, timezone, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          workspaceId,
          input.name,
          slug,
          input.workspaceType,
          layoutFor(input.workspaceType),
          plan.id,
          timezone,
          iso,
          iso,
        );
      for (const { kind, logo } of logos) {
        ctx.db
          .prepare(
            `INSERT INTO workspace_logos (workspace_id, kind, mime_type, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(workspaceId, kind, logo.mimeType, logo.size, logo.sha256, logo.data);
      }
      for (const i of integrations) insertIntegration(ctx.db, workspaceId, i, now);
      ctx.db
        .prepare(
          `INSERT INTO members (id, workspace_id, profile_id, role, status, created_at)
           VALUES (?, ?, ?, 'owner', 'active', ?)`,
        )
        .run(newId('mem'), workspaceId, ownerProfileId, iso);
      startSubscription(ctx.db, workspaceId, plan, now);
      insertApiKey(ctx.db, apiKey, 'workspace', now, workspaceId);
      recordActivity(ctx.db, now, {
        workspaceId,
        actor,
        action: 'workspace.created',
        objectKind: 'workspace',
        objectId: workspaceId,
        detail: `Created workspace "${input.name}" (${input.workspaceType}, ${plan.name} plan${
          integrations.length ? `, ${integrations.length} integration(s)` : ''
        })`,
      });
    })();
  } catch (err) {
    await Promise.allSettled(written.map((account) => ctx.secrets.delete(account)));
    throw err;
  }
  return { workspace: getWorkspace(ctx.db, workspaceId), apiKey: apiKey.raw };
}

/**
 * Owner only: moves the workspace to another plan, recording a subscription and a transaction.
 * A downgrade below what the workspace already uses is refused rather than half-applied.
 */
export function changePlan(ctx: EngineContext, p: Principal, planId: PlanId): Workspace {
  authorize(p, 'plan.change');
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    const current = getWorkspace(ctx.db, p.workspaceId);
    if (current.plan.id === planId) return;
    const plan = getPlan(ctx.db, planId);
    const clients = (
      ctx.db
        .prepare(`SELECT count(*) AS n FROM managed_users WHERE workspace_id = ? AND deleted_at IS NULL`)
        .get(p.workspaceId) as { n: number }
    ).n;
    const members = (
      ctx.db
        .prepare(
          `SELECT count(*) AS n FROM members WHERE workspace_id = ? AND status != 'deactivated' AND role != 'client'`,
        )
        .get(p.workspaceId) as { n: number }
    ).n;
    if (plan.maxClients !== null && clients > plan.maxClients) {
      throw new AppError(
        'conflict',
        `the ${plan.name} plan allows ${plan.maxClients} clients and this workspace has ${clients}`,
        { clients, limit: plan.maxClients },
      );
    }
    if (plan.maxMembers !== null && members > plan.maxMembers) {
      throw new AppError(
        'conflict',
        `the ${plan.name} plan allows ${plan.maxMembers} members and this workspace has ${members}`,
        { members, limit: plan.maxMembers },
      );
    }
    ctx.db
      .prepare(`UPDATE workspaces SET plan_id = ?, updated_at = ? WHERE id = ?`)
      .run(plan.id, now.toISOString(), p.workspaceId);
    startSubscription(ctx.db, p.workspaceId, plan, now);
    recordActivityOf(ctx.db, now, p, {
      action: 'plan.changed',
      objectKind: 'workspace',
      objectId: p.workspaceId,
      detail: `Plan changed from ${current.plan.name} to ${plan.name}`,
    });
  })();
  return getWorkspace(ctx.db, p.workspaceId);
}

export function listPlans(db: Db): Plan[] {
  return db
    .prepare<[], { id: PlanId }>(`SELECT id FROM plans ORDER BY price_cents`)
    .all()
    .map((r) => getPlan(db, r.id));
}

/** A subscription for the plan from now on, and its transaction (zero for free). */
function startSubscription(db: Db, workspaceId: string, plan: Plan, now: Date): void {
  const iso = now.toISOString();
  db.prepare(`UPDATE subscriptions SET ends_at = ? WHERE workspace_id = ? AND ends_at IS NULL`).run(iso, workspaceId);
  const subscriptionId = newId('sub');
  db.prepare(`INSERT INTO subscriptions (id, workspace_id, plan_id, starts_at, ends_at) VALUES (?, ?, ?, ?, NULL)`).run(
    subscriptionId,
    workspaceId,
    plan.id,
    iso,
  );
  db.prepare(
    `INSERT INTO transactions (id, workspace_id, subscription_id, amount_cents, currency, description, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(newId('txn'), workspaceId, subscriptionId, plan.priceCents, plan.currency, `${plan.name} plan`, iso);
}

/** The workspace API key, read back from the keychain. */
export async function revealWorkspaceApiKey(ctx: EngineContext, workspaceId: string): Promise<string> {
  const key = ctx.db
    .prepare<[string], { id: string }>(
      `SELECT id FROM api_keys WHERE workspace_id = ? AND scope = 'workspace' AND revoked_at IS NULL`,
    )
    .get(workspaceId);
  const raw = key ? await ctx.secrets.get(apiKeySecretAccount(ctx.installId, key.id)) : null;
  if (!raw) throw new AppError('not_found', 'the workspace API key is not in the keychain');
  return raw;
}

/** A new workspace key, kept in the keychain; the old one is revoked in the same transaction. */
export async function rotateWorkspaceApiKey(ctx: EngineContext, workspaceId: string, actor: Actor): Promise<string> {
  const key = await replaceApiKey(ctx, { scope: 'workspace', workspaceId }, (now, revoked) =>
    recordActivity(ctx.db, now, {
      workspaceId,
      actor,
      action: 'workspace.api_key_rotated',
      objectKind: 'workspace',
      objectId: workspaceId,
      detail: `New workspace API key; ${revoked} earlier key(s) revoked`,
    }),
  );
  return key.raw;
}
