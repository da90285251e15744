import type {
  Integration,
  IntegrationInput,
  LayoutType,
  Plan,
  PlanId,
  Workspace,
  WorkspaceSummary,
  WorkspaceType,
} from '../../../src-shared/contract';
import type { Db } from '../db/database';
import { AppError } from '../kernel/errors';
import type { IntegrationRow } from './integrations';

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
    `INSERT INTO integrations
       (id, workspace_id, platform, client_id, instance_url, redirect_port, secret_account, created_at, issuer_url,
        organization_pages)
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

export function listIntegrations(db: Db, workspaceId: string): Integration[] {
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
