import type { Platform } from '../../../src-shared/contract';
import { recordSystemActivity } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import { defaultAdapters, platformClientFor, type AdapterLookup } from '../platforms/registry';
import { PlatformError, type TokenSet } from '../platforms/types';
import { Planner, type Timers } from '../kernel/timers';
import { tokenAccount } from '../queries/tokens';

/** Tokens are renewed this long before they expire. */
export const REFRESH_MARGIN_MS = 10 * 60_000;
const RETRY_MS = 60_000;
const MAX_TIMER_MS = 5 * 60_000;

interface ExpiringRow {
  id: string;
  workspace_id: string;
  platform: Platform;
  platform_id: string;
  token_expires_at: string;
}

/**
 * Keeps connections signed in (SPEC §5): one timer to the next token that nears its expiry; the
 * refresh writes new tokens to the keychain (never trading a refresh token for an empty one). A
 * refresh the platform refuses marks the connection `needs_reauth`, logs it and tells the UI.
 */
export class TokenKeeper {
  private readonly planner: Planner;
  private readonly retryAfter = new Map<string, number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: {
      adapters?: AdapterLookup;
      timers?: Timers;
      onNeedsReauth?: (workspaceId: string, platformId: string) => void;
      logError?: (message: string, err: unknown) => void;
    } = {},
  ) {
    this.planner = new Planner(
      { nextDueInMs: () => this.nextDueInMs(), runDue: () => this.refreshDue() },
      { timers: options.timers, onError: (err) => options.logError?.('token renewal failed', err) },
    );
  }

  start(): void {
    this.plan();
  }

  /** Waits for a renewal under way; nothing is renewed after. */
  stop(): Promise<void> {
    return this.planner.stop();
  }

  /** One timer, to the renewal of the token that expires first; none while no token expires. */
  plan(): void {
    this.planner.plan();
  }

  private nextDueInMs(): number | null {
    const next = this.ctx.db
      .prepare<[], { at: string | null }>(
        `SELECT min(token_expires_at) AS at FROM connections WHERE status = 'active' AND token_expires_at IS NOT NULL`,
      )
      .get()?.at;
    if (!next) return null;
    return Math.min(
      Math.max(0, new Date(next).getTime() - REFRESH_MARGIN_MS - this.ctx.clock.now().getTime()),
      MAX_TIMER_MS,
    );
  }

  /** Refreshes every active connection whose token expires within the margin. */
  async refreshDue(): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const due = this.ctx.db
      .prepare<[string], ExpiringRow>(
        `SELECT id, workspace_id, platform, platform_id, token_expires_at FROM connections
         WHERE status = 'active' AND token_expires_at IS NOT NULL AND token_expires_at <= ?`,
      )
      .all(new Date(now + REFRESH_MARGIN_MS).toISOString())
      .filter((c) => (this.retryAfter.get(c.id) ?? 0) <= now);
    for (const c of due) await this.refreshOne(c);
  }

  private async refreshOne(c: ExpiringRow): Promise<void> {
    const entry = (this.options.adapters ?? defaultAdapters)(c.platform);
    const account = tokenAccount(this.ctx.installId, c.id);
    const raw = await this.ctx.secrets.get(account);
    const client = entry ? await platformClientFor(this.ctx, c.workspace_id, c.platform, entry) : null;
    if (!entry || !client || !raw) return this.needsReauth(c, 'its sign-in cannot be renewed here');
    const tokens = JSON.parse(raw) as TokenSet;
    if (!tokens.refreshToken) {
      if (new Date(c.token_expires_at).getTime() <= this.ctx.clock.now().getTime())
        this.needsReauth(c, 'its sign-in expired and the platform gave no way to renew it');
      else this.retryAfter.set(c.id, new Date(c.token_expires_at).getTime());
      return;
    }
    try {
      const fresh = await entry.adapter.refresh(client, tokens);
      const kept: TokenSet = { ...fresh, refreshToken: fresh.refreshToken || tokens.refreshToken };
      await this.ctx.secrets.set(account, JSON.stringify(kept));
      this.ctx.db
        .prepare(`UPDATE connections SET token_expires_at = ?, updated_at = ? WHERE id = ?`)
        .run(kept.expiresAt, this.ctx.clock.now().toISOString(), c.id);
      this.retryAfter.delete(c.id);
    } catch (err) {
      if (err instanceof PlatformError && err.retryable)
        this.retryAfter.set(c.id, this.ctx.clock.now().getTime() + (err.retryAfterMs ?? RETRY_MS));
      else this.needsReauth(c, err instanceof Error ? err.message : 'the platform refused to renew the sign-in');
    }
  }

  private needsReauth(c: ExpiringRow, reason: string): void {
    const now = this.ctx.clock.now();
    this.ctx.db.transaction(() => {
      const changed = this.ctx.db
        .prepare(`UPDATE connections SET status = 'needs_reauth', updated_at = ? WHERE id = ? AND status = 'active'`)
        .run(now.toISOString(), c.id).changes;
      if (!changed) return;
      recordSystemActivity(this.ctx.db, now, c.workspace_id, {
        action: 'connection.needs_reauth',
        objectKind: 'connection',
        objectId: c.id,
        detail: `${c.platform_id} must be reconnected: ${reason}`,
      });
    })();
    this.options.onNeedsReauth?.(c.workspace_id, c.platform_id);
  }
}
