import type { Platform } from '../../../src-shared/contract';
import { recordSystemActivity } from '../kernel/activity';
import type { EngineContext } from '../kernel/context';
import { isDiskFull } from '../kernel/errors';
import { newId } from '../kernel/ids';
import { redactSecrets } from '../kernel/redact';
import { safePostUrl } from '../platforms/http';
import { defaultAdapters, platformClientFor, type AdapterLookup } from '../platforms/registry';
import {
  PlatformError,
  type MediaUpload,
  type PlatformAdapter,
  type PlatformClient,
  type PublicMediaHost,
  type PublishedPost,
  type PublishRequest,
  type ReplyTarget,
  type TokenSet,
} from '../platforms/types';
import { PLATFORM_RULES } from '../../../src-shared/platform-rules';
import { insertPart, publishedParts } from '../queries/delivery-parts';
import { publishingTokenAccount } from '../queries/tokens';
import type { DeliveryRow } from '../queries/deliveries';
import { readPostMedia } from '../queries/media';
import { clearedToPublishSql } from '../queries/approvals';
import { Planner, type Timers } from '../kernel/timers';

export interface SchedulerOptions {
  ctx: EngineContext;
  adapters?: AdapterLookup;
  /** Waits between attempts for errors worth retrying (SPEC §4: 1, 5, 15, 60 minutes). */
  backoffMs?: readonly number[];
  /** While the platform cannot be reached at all, try again this often (attempts are not spent). */
  offlineRetryMs?: number;
  /** Deliveries missed while the app was closed go out if at most this late (SPEC §4). */
  graceMs?: number;
  leaseMs?: number;
  /**
   * After a crash, a post is looked for on the platform no sooner than this after the cut-short
   * attempt began: a platform's timeline may show a new post a few seconds late.
   */
  verifyDelayMs?: number;
  /** The one timer is never set further out than this, so a wall-clock jump (sleep) is noticed. */
  maxTimerMs?: number;
  /**
   * A clock that never jumps (milliseconds; `performance.now()`): the wall clock is compared with
   * it to notice the wall clock being set back or forward (issue 9 item 13).
   */
  monotonicNow?: () => number;
  concurrency?: number;
  timers?: Timers;
  /**
   * Public addresses for a post's media, for the platforms that fetch it themselves (Instagram,
   * Threads): a team host has one; a single desk has none, and those posts fail saying so.
   */
  publicMedia?: PublicMediaHost;
  /** A delivery failed for good or needs a person: notify staff. */
  onProblem?: (event: {
    workspaceId: string;
    deliveryId: string;
    postGroupId: string;
    platformId: string;
    state: 'failed' | 'needs_attention';
    error: string;
  }) => void;
  /** Whether the platforms can be reached, as the last publish found out. */
  onNetwork?: (online: boolean) => void;
  /** The keychain was found locked (publishing waits) or usable again (publishing resumes). */
  onKeychain?: (locked: boolean) => void;
  /** The disk was found full (outcomes wait in memory) or has room again (all written). */
  onDiskFull?: (full: boolean) => void;
  /** Something changed in the queue (for live UI). */
  onChange?: (workspaceId: string) => void;
  logError?: (message: string, err: unknown) => void;
}

const DEFAULT_BACKOFF = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** When looking for a post on the platform, its clock may be this far behind ours. */
const CLOCK_SKEW_MS = 2 * 60_000;
/** The wall clock moving this much more (or less) than a clock that never jumps is a clock jump. */
const CLOCK_JUMP_MS = 60_000;
/** How many due ids one read of the due index gives the pool (it reads again when they run out). */
const DUE_WINDOW = 64;

/** The columns of a post group the publish reads. */
interface PublishingGroup {
  workspace_id: string;
  text: string;
  platform_texts: string;
  created_by: string | null;
  thread: string;
  first_comment: string | null;
  poll: string | null;
}

/** One part a delivery sends: 0 the post, then the thread's replies or the first comment. */
interface PartToSend {
  index: number;
  kind: 'post' | 'reply' | 'comment';
  text: string;
}

/**
 * What a delivery sends, in order (issue 14 item 4): the post; then, where the platform takes
 * threads, each part of the thread as a reply; where it takes a first comment, the comment. A
 * platform of the other kind leaves that out (the rules refused a thread there when it was scheduled).
 */
function partsOf(platform: Platform, text: string, group: PublishingGroup): PartToSend[] {
  const parts: PartToSend[] = [{ index: 0, kind: 'post', text }];
  const followUp = PLATFORM_RULES[platform].followUp.kind;
  if (followUp === 'thread')
    for (const part of JSON.parse(group.thread) as { text: string }[])
      parts.push({ index: parts.length, kind: 'reply', text: part.text });
  if (followUp === 'first_comment' && group.first_comment)
    parts.push({ index: parts.length, kind: 'comment', text: group.first_comment });
  return parts;
}

/** "a thread of 3 parts", "a first comment": how the activity log says what went out. */
const describeParts = (parts: readonly PartToSend[]) =>
  parts.some((p) => p.kind === 'comment') ? 'its first comment' : `a thread of ${parts.length} parts`;

/** The keychain is locked: nothing can be read or written until a person unlocks it. */
class KeychainLockedError extends Error {}

/**
 * Publishes every due delivery, once (SPEC §4). Its state is the database: one timer points at the
 * next due delivery; a lease is claimed in a transaction before a platform is called; an
 * idempotency key goes with every call that can take one; a call whose outcome is unknown after a
 * crash is repeated only where that key makes it safe, or after the platform was checked and the
 * post is not there (X, LinkedIn); else the delivery waits for a person.
 */
export class Scheduler {
  readonly owner = newId('sched');
  private readonly planner: Planner;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly adapters: AdapterLookup;
  private readonly backoffMs: readonly number[];
  private readonly offlineRetryMs: number;
  private readonly graceMs: number;
  private readonly leaseMs: number;
  private readonly verifyDelayMs: number;
  private readonly maxTimerMs: number;
  private readonly concurrency: number;
  private readonly monotonicNow: () => number;
  /** The wall clock and the monotonic clock read together, last time the scheduler looked. */
  private anchor: { wall: number; mono: number } | null = null;
  private online = true;
  private keychainLocked = false;
  /**
   * Outcomes that could not be written because the disk is full, oldest first: each is one
   * transaction, written again (in order) at the start of every run until it fits.
   */
  private readonly unwritten: (() => void)[] = [];
  private diskFull = false;

  constructor(private readonly options: SchedulerOptions) {
    this.adapters = options.adapters ?? defaultAdapters;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF;
    this.offlineRetryMs = options.offlineRetryMs ?? 60_000;
    this.graceMs = options.graceMs ?? 15 * 60_000;
    this.leaseMs = options.leaseMs ?? 2 * 60_000;
    this.verifyDelayMs = options.verifyDelayMs ?? 10_000;
    this.maxTimerMs = options.maxTimerMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.planner = new Planner(
      { nextDueInMs: () => this.nextDueInMs(), runDue: () => this.runDue() },
      { timers: options.timers, onError: (err) => options.logError?.('scheduler run failed', err) },
    );
  }

  private get ctx() {
    return this.options.ctx;
  }

  /**
   * Recovers from the last run, then plans the timer, once the database passed its integrity check
   * (which runs in the background from the open; at once when it has passed already). A damaged
   * database is never recovered from nor published from: the scheduler stays stopped.
   */
  start(): void {
    const begin = () => {
      if (this.planner.stopped) return;
      this.recover();
      this.plan();
    };
    const integrity = this.ctx.integrity;
    if (integrity.state === 'sound') begin();
    else integrity.passed.then(begin, () => this.planner.halt());
  }

  /** True once the database passed its integrity check; false (for good) when it is damaged. */
  private async checked(): Promise<boolean> {
    const integrity = this.ctx.integrity;
    if (integrity.state === 'sound') return true;
    return integrity.passed.then(
      () => true,
      () => {
        this.planner.halt();
        return false;
      },
    );
  }

  /** Something changed (a post created, edited, cancelled; the network came back): look again now. */
  wake(): void {
    this.planner.kick();
  }

  /** After sleep: the wall clock jumped, so run whatever became due and re-plan. */
  resume(): void {
    this.wake();
  }

  /** Graceful stop: no new claims; publishes already under way finish. */
  async stop(): Promise<void> {
    await this.planner.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * After a crash or a kill: deliveries left `publishing` have an unknown outcome. With a platform
   * that honours idempotency keys and a claim recent enough, the same call is repeated safely.
   * Where the platform can be searched for the post (`findPublished`), the delivery is scheduled
   * again with `verify_since` set (the earliest claim whose outcome is unknown): before anything is
   * sent the platform is checked, and a post found there is the delivery's. Otherwise a person
   * checks the platform (`needs_attention`). Deliveries missed while closed go out if within the
   * grace period, else they wait for a person too.
   */
  recover(): void {
    const now = this.ctx.clock.now();
    const iso = now.toISOString();
    this.ctx.db.transaction(() => {
      const stuck = this.ctx.db.prepare<[], DeliveryRow>(`SELECT * FROM deliveries WHERE state = 'publishing'`).all();
      for (const d of stuck) {
        const entry = this.adapters(d.platform);
        const window = entry?.idempotencyWindowMs ?? null;
        const claimedAt = d.lease_expires_at ? new Date(d.lease_expires_at).getTime() - this.leaseMs : 0;
        if (window !== null && now.getTime() - claimedAt < window) {
          this.ctx.db
            .prepare(
              `UPDATE deliveries
               SET state = 'scheduled', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
               WHERE id = ?`,
            )
            .run(iso, iso, d.id);
        } else if (window === null && entry?.adapter.findPublished) {
          // Kept if already set: an earlier cut-short attempt may have gone out too.
          this.ctx.db
            .prepare(
              `UPDATE deliveries SET state = 'scheduled', next_attempt_at = ?, lease_owner = NULL,
                 lease_expires_at = NULL, verify_since = coalesce(verify_since, ?), last_error = ?, updated_at = ?
               WHERE id = ?`,
            )
            .run(
              new Date(Math.max(now.getTime(), claimedAt + this.verifyDelayMs)).toISOString(),
              new Date(claimedAt).toISOString(),
              `Postroom stopped while publishing this; checking ${d.platform_id} for it before trying again`,
              iso,
              d.id,
            );
        } else {
          this.markProblem(
            d,
            'needs_attention',
            'Postroom stopped while publishing this; check the platform to see whether it went out before retrying',
            now,
          );
        }
      }
      const late = this.ctx.db
        .prepare<[string], DeliveryRow>(
          `SELECT * FROM deliveries d
           WHERE state = 'scheduled' AND attempts = 0 AND next_attempt_at < ? AND ${clearedToPublishSql('d')}`,
        )
        .all(new Date(now.getTime() - this.graceMs).toISOString());
      for (const d of late) this.markProblem(d, 'needs_attention', 'its time passed while Postroom was closed', now);
    })();
  }

  /** One timer, to the next due delivery; none at all when nothing is scheduled. */
  plan(): void {
    this.planner.plan();
  }

  /** How long until the next delivery of a live client cleared to publish is due; null when none is. */
  private nextDueInMs(): number | null {
    // The due index in time order, stopping at the first delivery of a live client: one row read,
    // not every scheduled delivery (min() over a join reads them all).
    const next = this.ctx.db
      .prepare<[], { at: string | null }>(
        `SELECT d.next_attempt_at AS at FROM deliveries d
         WHERE d.state = 'scheduled' AND EXISTS (
           SELECT 1 FROM managed_users u
           WHERE u.id = d.managed_user_id AND u.deactivated_at IS NULL AND u.deleted_at IS NULL)
           AND ${clearedToPublishSql('d')}
         ORDER BY d.next_attempt_at LIMIT 1`,
      )
      .get()?.at;
    if (!next) return null;
    const due = Math.max(0, Math.min(new Date(next).getTime() - this.ctx.clock.now().getTime(), this.maxTimerMs));
    // A full disk refuses the claim of what is due: look again later, not at once in a loop.
    return this.diskFull ? Math.max(due, this.offlineRetryMs) : due;
  }

  /** Runs every delivery that is due now, a few at a time. Returns when they have all finished. */
  async runDue(): Promise<void> {
    // Nothing is claimed from a database not known to be sound (see start).
    if (!(await this.checked())) return;
    // What could not be written waits for room; what is due still goes out if it can be claimed.
    this.writeUnwritten();
    this.followClockJumps();
    // A pool of `concurrency` slots, each one platform call in flight: a slot is free again once
    // its platform answered, or its publish ended without an answer, and the next due delivery
    // takes it at once (a batch would wait for its slowest call). The due ids are read a window at
    // a time, not once per free slot: the claim checks each one again, so an id that changed
    // meanwhile is passed over, and the window is read again once it runs out.
    const slots = new Set<Promise<void>>();
    const publishes = new Set<Promise<void>>();
    // A publish that throws (a fault outside the platform call) is caught here at once: nothing
    // more is claimed, and the run ends with its error once the publishes in flight have ended.
    const faults: unknown[] = [];
    let window: string[] = [];
    for (;;) {
      // At most one read per pass: ids it gave that cannot be claimed (a full disk, an edit that
      // won) are not read again until a slot is free again.
      let read = false;
      while (!this.planner.stopped && faults.length === 0 && slots.size < this.concurrency) {
        if (window.length === 0) {
          if (read) break;
          window = this.dueIds(this.ctx.clock.now());
          read = true;
          if (window.length === 0) break;
        }
        const d = this.claim(window.shift()!);
        if (!d) continue;
        const slot: Promise<void> = new Promise<void>((free) => {
          const publishing = this.track(this.publish(d, free))
            .catch((fault: unknown) => {
              faults.push(fault);
            })
            .finally(() => {
              free();
              publishes.delete(publishing);
            });
          publishes.add(publishing);
        }).then(() => {
          slots.delete(slot);
        });
        slots.add(slot);
      }
      // Returns once every publish ended, its outcome written.
      if (slots.size === 0) {
        await Promise.all(publishes);
        if (faults.length > 0) throw faults[0];
        return;
      }
      await Promise.race(slots);
    }
  }

  /** The next due deliveries of live clients cleared to publish, in time order (a window of them). */
  private dueIds(now: Date): string[] {
    return this.ctx.db
      .prepare<[string, number], { id: string }>(
        `SELECT d.id FROM deliveries d
         WHERE d.state = 'scheduled' AND d.next_attempt_at <= ? AND EXISTS (
           SELECT 1 FROM managed_users u
           WHERE u.id = d.managed_user_id AND u.deactivated_at IS NULL AND u.deleted_at IS NULL)
         AND ${clearedToPublishSql('d')}
         ORDER BY d.next_attempt_at, d.rowid LIMIT ?`,
      )
      .all(now.toISOString(), DUE_WINDOW)
      .map((row) => row.id);
  }

  /**
   * Clock jumps (issue 9 item 13). Scheduled times are instants a person chose, so they stay; what
   * was reckoned from "now" (a retry's wait, a lease, the moment a call went out) is moved with
   * the clock:
   * - set back by Δ: waits and leases end Δ earlier on the new clock (else a retry would wait
   *   hours more); `verify_since` moves Δ back too, so the check
   *   on a platform (whose clock did not jump) still covers the moment the call went out, and a
   *   post made then is found instead of sent twice;
   * - forward (a sleep, or the clock set ahead): posts whose time the jump passed by more than
   *   the grace period are not sent at once (they might be hours early on a clock that was wrong)
   *   but wait in `needs_attention`, as after the app was closed (SPEC §4); those within the grace
   *   period go out, the rest at their time. Nothing is sent twice, early or skipped.
   */
  private followClockJumps(): void {
    const wall = this.ctx.clock.now().getTime();
    const mono = this.monotonicNow();
    const previous = this.anchor;
    this.anchor = { wall, mono };
    if (!previous) return;
    const drift = wall - previous.wall - (mono - previous.mono);
    if (Math.abs(drift) < CLOCK_JUMP_MS) return;
    this.options.logError?.(`the wall clock jumped ${Math.round(drift / 60_000)} minutes`, null);
    const now = new Date(wall);
    if (drift < 0) {
      const shift = (iso: string | null) => (iso === null ? null : new Date(new Date(iso).getTime() + drift));
      this.ctx.db.transaction(() => {
        // Only what was reckoned from "now": retries, holds, checks and leases (a first attempt
        // waits for the post's own time, which no clock jump changes).
        const moved = this.ctx.db
          .prepare<[], DeliveryRow>(
            `SELECT * FROM deliveries WHERE state IN ('scheduled', 'publishing')
               AND (attempts > 0 OR verify_since IS NOT NULL OR lease_expires_at IS NOT NULL
                 OR next_attempt_at > due_at)`,
          )
          .all();
        for (const d of moved) {
          this.ctx.db
            .prepare(
              `UPDATE deliveries SET next_attempt_at = ?, verify_since = ?, lease_expires_at = ?, updated_at = ?
               WHERE id = ?`,
            )
            .run(
              shift(d.next_attempt_at)?.toISOString() ?? null,
              shift(d.verify_since)?.toISOString() ?? null,
              shift(d.lease_expires_at)?.toISOString() ?? null,
              now.toISOString(),
              d.id,
            );
        }
      })();
      return;
    }
    this.ctx.db.transaction(() => {
      const passed = this.ctx.db
        .prepare<[string], DeliveryRow>(
          `SELECT * FROM deliveries d
           WHERE state = 'scheduled' AND attempts = 0 AND next_attempt_at < ? AND ${clearedToPublishSql('d')}`,
        )
        .all(new Date(wall - this.graceMs).toISOString());
      for (const d of passed)
        this.markProblem(
          d,
          'needs_attention',
          `the clock jumped ${Math.round(drift / 60_000)} minutes forward (or the computer slept) past its time; ` +
            'publish it now or pick another time',
          now,
        );
    })();
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  /**
   * The claim: inside one transaction the delivery is re-read and moved to `publishing` with a
   * lease, only if it is still scheduled and due. An edit or a cancel that committed first wins.
   */
  private claim(id: string): DeliveryRow | null {
    try {
      return this.claimNow(id);
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.setDiskFull(true);
      return null;
    }
  }

  /** One statement, so one implicit transaction: the lease is taken and the row read back at once. */
  private claimNow(id: string): DeliveryRow | null {
    const now = this.ctx.clock.now();
    const at = now.toISOString();
    const leaseEnds = new Date(now.getTime() + this.leaseMs).toISOString();
    return (
      this.ctx.db
        .prepare<[string, string, string, string, string], DeliveryRow>(
          `UPDATE deliveries
           SET state = 'publishing', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
           WHERE id = ? AND state = 'scheduled' AND next_attempt_at <= ? AND ${clearedToPublishSql('deliveries')}
           RETURNING *`,
        )
        .get(this.owner, leaseEnds, at, id, at) ?? null
    );
  }

  /**
   * Publishes a claimed delivery and writes its outcome. `answered` is called once the platform
   * answered for its last part: the pool's slot is free then, and the next due delivery's call goes
   * out before this outcome is written (see below).
   */
  private async publish(d: DeliveryRow, answered: () => void): Promise<void> {
    const group = this.ctx.db
      .prepare<[string], PublishingGroup>(
        `SELECT workspace_id, text, platform_texts, created_by, thread, first_comment, poll FROM post_groups
         WHERE id = ?`,
      )
      .get(d.post_group_id)!;
    // The UI shows "Publishing…" from this moment.
    this.options.onChange?.(group.workspace_id);
    // Whether an attempt cut short by a crash may be on the platform and has not been ruled out.
    let unknownOutcome = d.verify_since !== null;
    // When the publish call went out: from then on, a network error or a 5xx leaves it unknown
    // whether the post was made (the answer may have been lost, or the platform failed after it).
    let sentAt: Date | null = null;
    // Which part of a thread was under way, for the error ("part 2 of 3: …").
    let partLabel: string | null = null;
    const entry = this.adapters(d.platform);
    // The secrets this attempt uses: a platform's error that echoes one never gets it stored or logged.
    const inPlay: (string | null)[] = [];
    try {
      if (!entry) throw new PlatformError(`publishing to ${d.platform} is not supported yet`, false);
      const connection = this.ctx.db
        .prepare<[string, string], { id: string; status: string; post_as: string | null }>(
          `SELECT id, status, post_as FROM connections WHERE managed_user_id = ? AND platform_id = ?`,
        )
        .get(d.managed_user_id, d.platform_id);
      if (!connection || connection.status !== 'active')
        throw new PlatformError(`the ${d.platform_id} connection is not active; reconnect it`, false, null, null, true);
      const client = await platformClientFor(this.ctx, group.workspace_id, d.platform as Platform, entry);
      if (!client) throw new PlatformError(`${d.platform} is not set up for this workspace`, false);
      // Seed 003: a member posting with their own credentials uses their own tokens.
      const tokenAccountName = publishingTokenAccount(this.ctx, connection.id, group.created_by, group.workspace_id);
      const tokens = await this.usableTokens(tokenAccountName, connection.id, entry.adapter, client);
      inPlay.push(tokens.accessToken, tokens.refreshToken);
      const text = (JSON.parse(group.platform_texts) as Record<string, string>)[d.platform_id] ?? group.text;
      const parts = partsOf(d.platform, text, group);
      // What earlier attempts published, part by part: those are never sent again.
      const done = publishedParts(this.ctx.db, d.id);
      const postAs = connection.post_as ? { postAs: connection.post_as } : {};
      // An attempt cut short: the first part not recorded may be on the platform. Only that one:
      // each part is recorded before the next is sent.
      let verifying = d.verify_since !== null;
      let foundAny = false;
      for (const [k, part] of parts.entries()) {
        if (done.has(k)) continue;
        partLabel =
          parts.length > 1
            ? `${part.kind === 'comment' ? 'the first comment' : `part ${k + 1} of ${parts.length}`}`
            : null;
        const media =
          part.kind === 'comment' ? [] : await readPostMedia(this.ctx.dataDir, d.post_group_id, this.ctx.db, k);
        const root = done.get(0);
        const replyTo = k > 0 && root ? { parentId: done.get(k - 1)!.postId, rootId: root.postId } : undefined;
        let published: PublishedPost | null = null;
        if (verifying) {
          // The flag stays set until this part's outcome is known, so a crash during the publish
          // that follows leads to another check, never to a blind repeat.
          const since = new Date(new Date(d.verify_since!).getTime() - CLOCK_SKEW_MS);
          published = await this.findPart(entry.adapter, client, tokens, d.platform_id, part, {
            since,
            root,
            ...(replyTo ? { replyTo } : {}),
            ...postAs,
          });
          verifying = false;
          unknownOutcome = false;
          foundAny ||= published !== null;
        }
        if (!published) {
          sentAt = this.ctx.clock.now();
          published = await this.sendPart(entry.adapter, client, tokens, d, part, {
            media,
            root,
            // The poll goes on the post itself (the rules refused it where it is not taken).
            ...(k === 0 && group.poll ? { poll: JSON.parse(group.poll) as PublishRequest['poll'] } : {}),
            ...(replyTo ? { replyTo } : {}),
            ...postAs,
          });
        }
        done.set(k, published);
        if (k === parts.length - 1) break;
        // Recorded before the next part is sent: a crash from here on continues after this part.
        if (!this.recordPart(d, k, published)) {
          this.holdForRoom(d);
          this.options.onChange?.(group.workspace_id);
          return;
        }
        sentAt = null;
      }
      // The platform answered: the slot goes to the next due delivery, and this outcome is written
      // once the event loop has turned (so that delivery's call, started meanwhile, goes out first)
      // rather than holding the slot through a transaction. A crash in between leaves this delivery
      // `publishing`, checked on the platform at recovery, as a crash during any call that went out.
      answered();
      await new Promise((turned) => setImmediate(turned));
      const first = done.get(0)!;
      const link = safePostUrl(first.url) ?? 'no link';
      this.markPublished(
        d,
        group.workspace_id,
        first,
        parts.length === 1 && foundAny
          ? `Found on ${d.platform_id} after a restart (it went out before Postroom stopped): ${link}`
          : parts.length === 1
            ? `Published on ${d.platform_id}: ${link}`
            : `Published on ${d.platform_id} with ${describeParts(parts)}` +
              `${foundAny ? ' (a part cut short by a restart was found there)' : ''}: ${link}`,
        { part: parts.length - 1, post: done.get(parts.length - 1)! },
      );
      this.setOnline(true);
    } catch (err) {
      if (err instanceof KeychainLockedError) {
        this.waitForKeychain(d);
        this.options.onChange?.(group.workspace_id);
        return;
      }
      if (err instanceof Error) err.message = redactSecrets(err.message, inPlay);
      if (err instanceof PlatformError && partLabel) err.message = `${partLabel}: ${err.message}`;
      if (err instanceof PlatformError && err.retryable && err.status === null) this.setOnline(false);
      // A platform without idempotency keys may have made the post even though the call failed.
      const mayHaveGoneOut =
        sentAt !== null &&
        entry?.idempotencyWindowMs === null &&
        err instanceof PlatformError &&
        err.retryable &&
        err.status !== 429;
      this.afterFailure(d, group.workspace_id, err, unknownOutcome || mayHaveGoneOut, mayHaveGoneOut ? sentAt : null);
    }
    this.options.onChange?.(group.workspace_id);
  }

  /**
   * The outcome is known: published, with the platform's id; nothing left to check. `last` is the
   * delivery's last part (its only one for a single post), recorded in the same transaction.
   */
  private markPublished(
    d: DeliveryRow,
    workspaceId: string,
    answered: PublishedPost,
    detail: string,
    last: { part: number; post: PublishedPost } = { part: 0, post: answered },
  ): void {
    const now = this.ctx.clock.now();
    // Whatever the adapter: only an https link (http on loopback) is kept (issue 9 item 7).
    const post = { ...answered, url: safePostUrl(answered.url) };
    this.record(() =>
      this.ctx.db.transaction(() => {
        insertPart(this.ctx.db, d.id, last.part, last.post, now);
        this.ctx.db
          .prepare(
            `UPDATE deliveries SET state = 'published', platform_post_id = ?, platform_post_url = ?, published_at = ?,
               lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, verify_since = NULL, updated_at = ?
             WHERE id = ?`,
          )
          .run(post.postId, post.url, now.toISOString(), now.toISOString(), d.id);
        recordSystemActivity(this.ctx.db, now, workspaceId, {
          action: 'post.published',
          objectKind: 'delivery',
          objectId: d.id,
          detail,
        });
      })(),
    );
  }

  /**
   * Writes an outcome (issue 9 item 10). On a full disk its transaction was rolled back whole; it
   * is kept in memory and written at the start of the next runs, in order, once there is room. A
   * post that went out stays `publishing` in the file meanwhile, so even a crash before then
   * cannot lead to a blind repeat (see `recover`).
   */
  private record(write: () => void): boolean {
    if (this.unwritten.length === 0) {
      try {
        write();
        return true;
      } catch (err) {
        if (!isDiskFull(err)) throw err;
      }
    }
    this.unwritten.push(write);
    this.setDiskFull(true);
    return false;
  }

  /**
   * One part of a thread (or the post under a first comment) went out and more follow: it is
   * recorded, with the platform's id, before the next is sent (issue 14 item 4). Its outcome is
   * known, so `verify_since` is cleared; the lease is renewed, so a long thread keeps its claim and
   * a crash is reckoned from this moment. The post's own id is the delivery's link from part 0.
   * False when the disk is full: the record waits in memory and nothing more may be sent.
   */
  private recordPart(d: DeliveryRow, part: number, answered: PublishedPost): boolean {
    const now = this.ctx.clock.now();
    const iso = now.toISOString();
    return this.record(() =>
      this.ctx.db.transaction(() => {
        insertPart(this.ctx.db, d.id, part, answered, now);
        if (part === 0)
          this.ctx.db
            .prepare(`UPDATE deliveries SET platform_post_id = ?, platform_post_url = ? WHERE id = ?`)
            .run(answered.postId, safePostUrl(answered.url), d.id);
        this.ctx.db
          .prepare(`UPDATE deliveries SET verify_since = NULL, lease_expires_at = ?, updated_at = ? WHERE id = ?`)
          .run(new Date(now.getTime() + this.leaseMs).toISOString(), iso, d.id);
      })(),
    );
  }

  /**
   * A part's record waits for room on a full disk: the rest of the thread waits too, as if
   * offline (no attempt spent), written after the part's record so the retry starts after it.
   */
  private holdForRoom(d: DeliveryRow): void {
    this.waitAsIfOffline(d, 'The disk is full: the rest of the thread goes out once there is room');
  }

  /** Looks on the platform for a part an attempt cut short may have published (read-only). */
  private async findPart(
    adapter: PlatformAdapter,
    client: PlatformClient,
    tokens: TokenSet,
    platformId: string,
    part: PartToSend,
    where: { since: Date; root: PublishedPost | undefined; replyTo?: ReplyTarget; postAs?: string },
  ): Promise<PublishedPost | null> {
    const postAs = where.postAs ? { postAs: where.postAs } : {};
    if (part.kind === 'comment') {
      if (!adapter.findComment)
        throw new PlatformError(`${platformId} cannot be searched for the first comment`, false);
      return adapter.findComment(client, tokens, {
        postId: where.root!.postId,
        text: part.text,
        since: where.since,
        ...postAs,
      });
    }
    if (!adapter.findPublished) throw new PlatformError(`${platformId} cannot be searched for the post`, false);
    return adapter.findPublished(client, tokens, {
      text: part.text,
      since: where.since,
      ...(where.replyTo ? { replyTo: where.replyTo } : {}),
      ...postAs,
    });
  }

  /** Sends one part: the post, a reply to the part before, or the first comment under the post. */
  private sendPart(
    adapter: PlatformAdapter,
    client: PlatformClient,
    tokens: TokenSet,
    d: DeliveryRow,
    part: PartToSend,
    with_: {
      media: MediaUpload[];
      root: PublishedPost | undefined;
      replyTo?: ReplyTarget;
      postAs?: string;
      poll?: PublishRequest['poll'];
    },
  ): Promise<PublishedPost> {
    // Part 0 keeps the delivery's key as before threads; each later part has its own.
    const idempotencyKey = part.index === 0 ? d.idempotency_key : `${d.idempotency_key}:part${part.index}`;
    const postAs = with_.postAs ? { postAs: with_.postAs } : {};
    if (part.kind === 'comment') {
      if (!adapter.comment) throw new PlatformError(`${d.platform_id} does not take a first comment`, false);
      return adapter.comment(client, tokens, {
        postId: with_.root!.postId,
        text: part.text,
        idempotencyKey,
        ...postAs,
      });
    }
    if (part.kind === 'reply' && !adapter.takesReplies)
      throw new PlatformError(`${d.platform_id} does not take threads`, false);
    return adapter.publish(client, tokens, {
      text: part.text,
      media: with_.media,
      idempotencyKey,
      ...(with_.replyTo ? { replyTo: with_.replyTo } : {}),
      ...(with_.poll ? { poll: with_.poll } : {}),
      ...postAs,
      ...(this.options.publicMedia ? { publicMedia: this.options.publicMedia } : {}),
    });
  }

  /** Writes what waited for room; true when nothing is left waiting. */
  private writeUnwritten(): boolean {
    while (this.unwritten.length > 0) {
      try {
        this.unwritten[0]!();
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        return false;
      }
      this.unwritten.shift();
    }
    this.setDiskFull(false);
    return true;
  }

  private setDiskFull(full: boolean): void {
    if (full === this.diskFull) return;
    this.diskFull = full;
    this.options.onDiskFull?.(full);
  }

  /**
   * The keychain is locked (issue 9 item 14): the delivery waits, as if offline, without spending
   * an attempt or touching its connection, and is tried again shortly; the UI is told once.
   */
  private waitForKeychain(d: DeliveryRow): void {
    this.waitAsIfOffline(d, 'Waiting for the keychain to be unlocked: Postroom reads this account’s sign-in from it');
    this.setKeychainLocked(true);
  }

  /** Back to `scheduled` for a retry shortly, giving back the attempt: nothing was tried on the platform. */
  private waitAsIfOffline(d: DeliveryRow, reason: string): void {
    const now = this.ctx.clock.now();
    this.record(() =>
      this.ctx.db
        .prepare(
          `UPDATE deliveries SET state = 'scheduled', next_attempt_at = ?, attempts = attempts - 1, lease_owner = NULL,
             lease_expires_at = NULL, last_error = ?, updated_at = ?
           WHERE id = ?`,
        )
        .run(new Date(now.getTime() + this.offlineRetryMs).toISOString(), reason, now.toISOString(), d.id),
    );
  }

  private setKeychainLocked(locked: boolean): void {
    if (locked === this.keychainLocked) return;
    this.keychainLocked = locked;
    this.options.onKeychain?.(locked);
  }

  private setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.options.onNetwork?.(online);
  }

  /** Tokens from the keychain, refreshed shortly before they expire; a failed refresh means reconnecting. */
  private async usableTokens(
    account: string,
    connectionId: string,
    adapter: { refresh: (c: never, t: TokenSet) => Promise<TokenSet> },
    client: unknown,
  ): Promise<TokenSet> {
    const raw = await this.ctx.secrets.get(account).catch(() => null);
    // A locked keychain reads as "nothing there": tell that apart from a sign-in that is missing.
    if (!raw && !(await this.ctx.secrets.usable())) throw new KeychainLockedError();
    if (raw) this.setKeychainLocked(false);
    if (!raw)
      throw new PlatformError(
        'the sign-in of this connection is missing from the keychain; reconnect it',
        false,
        null,
        null,
        true,
      );
    const tokens = JSON.parse(raw) as TokenSet;
    if (
      !tokens.expiresAt ||
      new Date(tokens.expiresAt).getTime() - this.ctx.clock.now().getTime() > TOKEN_REFRESH_MARGIN_MS
    )
      return tokens;
    // Renewing may spend a single-use refresh token: only when the new one can be written back.
    if (!(await this.ctx.secrets.usable())) throw new KeychainLockedError();
    const fresh = await adapter.refresh(client as never, tokens);
    const kept: TokenSet = { ...fresh, refreshToken: fresh.refreshToken || tokens.refreshToken };
    await this.ctx.secrets.set(account, JSON.stringify(kept));
    this.ctx.db
      .prepare(`UPDATE connections SET token_expires_at = ?, updated_at = ? WHERE id = ?`)
      .run(kept.expiresAt, this.ctx.clock.now().toISOString(), connectionId);
    return kept;
  }

  /**
   * A retryable error backs off (a flagged delivery stays flagged, so the retry checks the platform
   * first); a final one fails the delivery, or sends it to a person while an attempt cut short by a
   * crash may still be on the platform (`unknownOutcome`).
   */
  private afterFailure(
    d: DeliveryRow,
    workspaceId: string,
    err: unknown,
    unknownOutcome = false,
    sentAt: Date | null = null,
  ): void {
    const now = this.ctx.clock.now();
    const iso = now.toISOString();
    const e =
      err instanceof PlatformError ? err : new PlatformError('an unexpected error stopped this delivery', false);
    if (!(err instanceof PlatformError)) this.options.logError?.('publish failed unexpectedly', err);
    const offline = e.retryable && e.status === null;
    const attemptsLeft = d.attempts <= this.backoffMs.length;
    // A call that may have made the post is retried only where the platform can be checked first.
    const checkable = sentAt === null || Boolean(this.adapters(d.platform)?.adapter.findPublished);
    if (e.retryable && (offline || attemptsLeft) && checkable) {
      // Unreachable platform (offline): hold without spending an attempt; others back off. A post
      // that may have gone out is looked for before the retry sends anything (verify_since).
      const wait = offline
        ? this.offlineRetryMs
        : Math.max(e.retryAfterMs ?? 0, this.backoffMs[d.attempts - 1] ?? this.backoffMs.at(-1)!);
      this.record(() =>
        this.ctx.db
          .prepare(
            `UPDATE deliveries SET state = 'scheduled', next_attempt_at = ?, attempts = attempts - ?,
               lease_owner = NULL, lease_expires_at = NULL, last_error = ?, verify_since = coalesce(verify_since, ?),
               updated_at = ?
             WHERE id = ?`,
          )
          .run(
            new Date(now.getTime() + Math.max(wait, sentAt ? this.verifyDelayMs : 0)).toISOString(),
            offline ? 1 : 0,
            e.message,
            sentAt?.toISOString() ?? null,
            iso,
            d.id,
          ),
      );
      return;
    }
    this.record(() =>
      this.ctx.db.transaction(() => {
        if (e.needsReauth) {
          const changed = this.ctx.db
            .prepare(
              `UPDATE connections SET status = 'needs_reauth', updated_at = ?
               WHERE managed_user_id = ? AND platform_id = ? AND status = 'active'`,
            )
            .run(iso, d.managed_user_id, d.platform_id).changes;
          if (changed) {
            recordSystemActivity(this.ctx.db, now, workspaceId, {
              action: 'connection.needs_reauth',
              objectKind: 'connection',
              objectId: d.platform_id,
              detail: `${d.platform_id} must be reconnected: ${e.message}`,
            });
          }
        }
        if (unknownOutcome) {
          this.markProblem(
            { ...d, state: 'publishing' },
            'needs_attention',
            `Postroom stopped while publishing this and could not check ${d.platform_id} whether it went out ` +
              `(${e.message}); check the platform before retrying`,
            now,
            workspaceId,
          );
        } else {
          this.markProblem({ ...d, state: 'publishing' }, 'failed', e.message, now, workspaceId);
        }
      })(),
    );
  }

  private markProblem(
    d: DeliveryRow,
    state: 'failed' | 'needs_attention',
    error: string,
    now: Date,
    workspaceId?: string,
  ): void {
    const ws =
      workspaceId ??
      this.ctx.db
        .prepare<[string], { workspace_id: string }>(`SELECT workspace_id FROM post_groups WHERE id = ?`)
        .get(d.post_group_id)!.workspace_id;
    this.ctx.db
      .prepare(
        `UPDATE deliveries SET state = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
         WHERE id = ?`,
      )
      .run(state, error, now.toISOString(), d.id);
    recordSystemActivity(this.ctx.db, now, ws, {
      action: state === 'failed' ? 'post.failed' : 'post.needs_attention',
      objectKind: 'delivery',
      objectId: d.id,
      detail: `${d.platform_id}: ${error}`,
    });
    this.options.onProblem?.({
      workspaceId: ws,
      deliveryId: d.id,
      postGroupId: d.post_group_id,
      platformId: d.platform_id,
      state,
      error,
    });
  }
}
