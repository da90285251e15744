import type { z } from 'zod';
import type { Integration, IntegrationInput } from '../../../src-shared/contract';
import { requiredFields } from '../../../src-shared/integration-fields';
import { authorize, type Principal } from '../kernel/access';
import { recordActivityOf } from '../kernel/activity';
import { platformModule } from '../platforms/registry';
import type { EngineContext } from '../kernel/context';
import { AppError } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { integrationFor } from '../queries/integrations';
import { getWorkspace, insertIntegration } from '../queries/workspaces';

/** Adds a platform app credential: the client secret to the keychain, the rest to SQLite. */
export async function addIntegration(
  ctx: EngineContext,
  p: Principal,
  input: z.output<typeof IntegrationInput>,
): Promise<Integration> {
  authorize(p, 'workspace.update');
  const id = newId('int');
  const account = input.clientSecret ? `${ctx.installId}/integration/${p.workspaceId}/${id}` : null;
  if (account && input.clientSecret) await ctx.secrets.set(account, input.clientSecret);
  try {
    const now = ctx.clock.now();
    ctx.db.transaction(() => {
      insertIntegration(ctx.db, p.workspaceId, { ...input, id, secretAccount: account }, now);
      recordActivityOf(ctx.db, now, p, {
        action: 'workspace.integration_added',
        objectKind: 'integration',
        objectId: id,
        detail: `Added ${input.platform} app ${input.clientId ?? ''}`.trim(),
      });
    })();
  } catch (err) {
    if (account) await ctx.secrets.delete(account);
    throw err;
  }
  return getWorkspace(ctx.db, p.workspaceId).integrations.find((i) => i.id === id)!;
}

export async function removeIntegration(ctx: EngineContext, p: Principal, integrationId: string): Promise<void> {
  authorize(p, 'workspace.update');
  const row = ctx.db
    .prepare<[string, string], { platform: string; secret_account: string | null }>(
      `SELECT platform, secret_account FROM integrations WHERE id = ? AND workspace_id = ?`,
    )
    .get(integrationId, p.workspaceId);
  if (!row) throw new AppError('not_found', 'integration not found', { integrationId });
  const now = ctx.clock.now();
  ctx.db.transaction(() => {
    ctx.db.prepare(`DELETE FROM integrations WHERE id = ?`).run(integrationId);
    recordActivityOf(ctx.db, now, p, {
      action: 'workspace.integration_removed',
      objectKind: 'integration',
      objectId: integrationId,
      detail: `Removed the ${row.platform} app`,
    });
  })();
  if (row.secret_account) await ctx.secrets.delete(row.secret_account);
}

/**
 * Checks that an integration's server answers: OpenID discovery or the Mastodon instance. It
 * cannot check a client secret without a person signing in, and says so.
 */
export async function testIntegration(
  ctx: EngineContext,
  p: Principal,
  integrationId: string,
): Promise<{ ok: boolean; message: string }> {
  authorize(p, 'workspace.read');
  const workspace = getWorkspace(ctx.db, p.workspaceId);
  const integration = workspace.integrations.find((i) => i.id === integrationId);
  if (!integration) throw new AppError('not_found', 'integration not found', { integrationId });
  const row = integrationFor(ctx.db, p.workspaceId, integration.platform);
  const entry = platformModule(integration.platform);
  const missing = requiredFields(integration.platform).filter(([field]) =>
    field === 'clientSecret' ? !integration.hasSecret : !integration[field],
  );
  if (missing.length > 0) return { ok: false, message: `Not ready: ${missing.map(([, say]) => say).join(' ')}` };
  try {
    if (entry && row) {
      const check = await entry.checkIntegration(row);
      // Staff named only the instance: Postroom registers its own app there (D107).
      return check.ok && integration.platform === 'mastodon' && !integration.clientId
        ? { ok: true, message: `${check.message} Postroom registers itself there when a client first connects.` }
        : check;
    }
    return { ok: true, message: 'Saved. This platform can only be checked by connecting an account.' };
  } catch (err) {
    return {
      ok: false,
      message: `Could not reach the platform: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}`,
    };
  }
}
