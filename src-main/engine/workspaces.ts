import slugify from '@sindresorhus/slugify';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  CreateWorkspaceInput,
  type Integration,
  type IntegrationInput,
  type LayoutType,
  type Plan,
  type PlanId,
  type Workspace,
  type WorkspaceSummary,
  type WorkspaceType,
} from '../../src-shared/contract';
import { authorize, type Principal } from './access';
import { recordActivity, type Actor } from './activity';
import { insertApiKey, mintApiKey, apiKeySecretAccount } from './api-keys';
import type { IntegrationRow } from './connections';
import type { Db } from './db/database';
import { AppError } from './errors';
import { newId } from './ids';
import { decodeUpload, readLogo, type Logo } from './logos';
import type { EngineContext } from './context';

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
          `INSERT INTO workspaces (id, name, slug, workspace_type, layout_type, plan_id, timezone, created_at, updated_at)
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
          `INSERT INTO members (id, workspace_id, profile_id, role, status, created_at) VALUES (?, ?, ?, 'owner', 'active', ?)`,
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
    recordActivity(ctx.db, now, {
      workspaceId: p.workspaceId,
      actor: p.kind === 'member' ? { kind: 'member', id: p.profileId } : { kind: 'api_key', id: p.keyId },
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

interface PlanRow {
  id: PlanId;
  name: string;
  max_members: number | null;
  max_clients: number | null;
  daily_post_limit: number;
  price_cents: number;
  currency: string;
}

export function getPlan(db: Db, id: PlanId): Plan {
  const row = db.prepare<[string], PlanRow>(`SELECT * FROM plans WHERE id = ?`).get(id);
  if (!row) throw new AppError('not_found', `plan ${id} does not exist`);
  return {
    id: row.id,
    name: row.name,
    maxMembers: row.max_members,
    maxClients: row.max_clients,
    dailyPostLimit: row.daily_post_limit,
    priceCents: row.price_cents,
    currency: row.currency,
  };
}

interface WorkspaceRow {
  id: string;
  name: string;
  slug: string;
  workspace_type: WorkspaceType;
  layout_type: LayoutType;
  plan_id: PlanId;
  timezone: string;
  created_at: string;
}

export function getWorkspace(db: Db, workspaceId: string): Workspace {
  const row = db.prepare<[string], WorkspaceRow>(`SELECT * FROM workspaces WHERE id = ?`).get(workspaceId);
  if (!row) throw new AppError('not_found', 'workspace not found', { workspaceId });
  const subscription = db
    .prepare<[string], { id: string; plan_id: PlanId; starts_at: string; ends_at: string | null }>(
      `SELECT id, plan_id, starts_at, ends_at FROM subscriptions WHERE workspace_id = ? AND ends_at IS NULL`,
    )
    .get(workspaceId);
  if (!subscription) throw new AppError('internal', 'workspace has no subscription');
  const logos = db
    .prepare<[string], { kind: 'square' | 'image'; mime_type: string; size: number; sha256: string }>(
      `SELECT kind, mime_type, size, sha256 FROM workspace_logos WHERE workspace_id = ?`,
    )
    .all(workspaceId);
  const logo = (kind: 'square' | 'image') => {
    const l = logos.find((x) => x.kind === kind);
    return l ? { mimeType: l.mime_type, size: l.size, sha256: l.sha256 } : null;
  };
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    workspaceType: row.workspace_type,
    layoutType: row.layout_type,
    timezone: row.timezone,
    plan: getPlan(db, row.plan_id),
    subscription: {
      id: subscription.id,
      planId: subscription.plan_id,
      startsAt: subscription.starts_at,
      endsAt: subscription.ends_at,
    },
    squareLogo: logo('square'),
    imageLogo: logo('image'),
    integrations: listIntegrations(db, workspaceId),
    createdAt: row.created_at,
  };
}

/** One integration row: the non-secret parts (the secret is already in the keychain under `secretAccount`). */
export function insertIntegration(
  db: Db,
  workspaceId: string,
  i: IntegrationInput & { id: string; secretAccount: string | null },
  now: Date,
): void {
  db.prepare(
    `INSERT INTO integrations (id, workspace_id, platform, client_id, instance_url, redirect_port, secret_account, created_at, issuer_url, organization_pages)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    i.id,
    workspaceId,
    i.platform,
    i.clientId ?? null,
    i.instanceUrl ?? null,
    i.redirectPort ?? null,
    i.secretAccount,
    now.toISOString(),
    i.issuerUrl ?? null,
    i.organizationPages ? 1 : 0,
  );
}

function listIntegrations(db: Db, workspaceId: string): Integration[] {
  return db
    .prepare<[string], IntegrationRow>(`SELECT * FROM integrations WHERE workspace_id = ? ORDER BY created_at, rowid`)
    .all(workspaceId)
    .map((r) => ({
      id: r.id,
      platform: r.platform,
      clientId: r.client_id,
      instanceUrl: r.instance_url,
      redirectPort: r.redirect_port,
      issuerUrl: r.issuer_url,
      organizationPages: r.organization_pages === 1,
      hasSecret: r.secret_account !== null,
    }));
}

/** The workspaces a profile is an active member of. */
export function listWorkspacesFor(db: Db, profileId: string): WorkspaceSummary[] {
  return db
    .prepare<
      [string],
      { id: string; name: string; slug: string; workspace_type: WorkspaceType; layout_type: LayoutType }
    >(
      `SELECT w.id, w.name, w.slug, w.workspace_type, w.layout_type FROM workspaces w
       JOIN members m ON m.workspace_id = w.id
       WHERE m.profile_id = ? AND m.status = 'active' ORDER BY w.created_at, w.rowid`,
    )
    .all(profileId)
    .map((r) => ({ id: r.id, name: r.name, slug: r.slug, workspaceType: r.workspace_type, layoutType: r.layout_type }));
}

export function getLogoData(
  db: Db,
  workspaceId: string,
  kind: 'square' | 'image',
): { mimeType: string; data: Buffer } | null {
  const row = db
    .prepare<[string, string], { mime_type: string; data: Buffer }>(
      `SELECT mime_type, data FROM workspace_logos WHERE workspace_id = ? AND kind = ?`,
    )
    .get(workspaceId, kind);
  return row ? { mimeType: row.mime_type, data: row.data } : null;
}
