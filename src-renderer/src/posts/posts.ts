import { DateTime } from 'luxon';
import { useEffect, useMemo } from 'react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Platform } from '../../../src-shared/contract';
import type { Connection } from '../../../src-shared/connections';
import type { CalendarQuery, DeliveryState, ListPostGroupsQuery, PostGroup } from '../../../src-shared/posts';
import { PLATFORM_RULES } from '../../../src-shared/platform-rules';
import { request } from '../data/contract';
import { useContract, useContractWith } from '../data/queries';
import { useStore } from '../store';

/* Words and time arithmetic shared by the composer, the queue, the calendar and the post page. */

export const platformName = (platform: Platform): string => PLATFORM_RULES[platform].name;

/** "@handle" as people write it (Mastodon's `acct` and X's username come without or with the @). */
export const atHandle = (handle: string): string =>
  handle.startsWith('@') || handle.includes(' ') ? handle : `@${handle}`;

/** "Mastodon @agency": how a target is named in checkboxes and previews. */
export const connectionLabel = (c: Pick<Connection, 'platform' | 'handle'>): string =>
  `${platformName(c.platform)} ${atHandle(c.handle)}`;

/** The platform of a platformId (`mastodon-123` → mastodon), when it names a known one. */
export function platformOf(platformId: string): Platform | null {
  const prefix = platformId.split('-', 1)[0] ?? '';
  return prefix in PLATFORM_RULES ? (prefix as Platform) : null;
}

export const stateLabel: Record<DeliveryState | PostGroup['status'], string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  publishing: 'Publishing',
  published: 'Published',
  partially_published: 'Partly published',
  failed: 'Failed',
  needs_attention: 'Needs attention',
  cancelled: 'Cancelled',
  paused: 'Paused',
};

/** Deliveries in these states may still be edited, moved or cancelled (the engine's rule). */
export const CHANGEABLE: readonly DeliveryState[] = ['draft', 'scheduled', 'paused', 'failed', 'needs_attention'];
export const isChangeable = (group: PostGroup): boolean => group.deliveries.some((d) => CHANGEABLE.includes(d.state));

export const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** An instant as the value of a datetime-local input, on the wall clock of `zone`. */
export function toLocalInput(iso: string | Date, zone: string): string {
  const dt = typeof iso === 'string' ? DateTime.fromISO(iso, { zone }) : DateTime.fromJSDate(iso, { zone });
  return dt.isValid ? dt.toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

/** A datetime-local value read on the wall clock of `zone`, as ISO 8601 with that zone's offset; null if invalid. */
export function fromLocalInput(value: string, zone: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const dt = DateTime.fromISO(value, { zone });
  return dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : null;
}

/** `day` (yyyy-mm-dd) at the wall-clock time `iso` has in `zone`: "the same time on another day". */
export function sameTimeOnDay(iso: string, day: string, zone: string): string | null {
  const from = DateTime.fromISO(iso, { zone });
  const target = DateTime.fromISO(day, { zone });
  if (!from.isValid || !target.isValid) return null;
  const at = target.set({ hour: from.hour, minute: from.minute, second: from.second, millisecond: 0 });
  return at.toISO({ suppressMilliseconds: true });
}

export { formatInZone } from './zoneTime';

export const formatDay = (day: string, zone: string): string =>
  DateTime.fromISO(day, { zone }).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** The first line of a post, shortened: how lists name it. */
export function excerpt(text: string, max = 80): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  if (line === '') return '(no text)';
  return [...line].length > max ? `${[...line].slice(0, max - 1).join('')}…` : line;
}

/**
 * Tells the header whether this view shows a delivery being published right now: a group's status
 * is `publishing` exactly when one of its deliveries is (the engine's rule).
 */
export function useReportPublishing(
  source: string,
  groups: readonly Pick<PostGroup, 'status'>[] | null | undefined,
): void {
  const setPublishing = useStore((s) => s.setPublishing);
  // Once per new list, not at every render: the queue's list grows to a hundred thousand rows.
  const publishing = useMemo(() => (groups ?? []).some((g) => g.status === 'publishing'), [groups]);
  useEffect(() => {
    setPublishing(source, publishing);
  }, [setPublishing, source, publishing]);
  useEffect(() => () => setPublishing(source, false), [setPublishing, source]);
}

type ListQuery = Omit<z.input<typeof ListPostGroupsQuery>, 'page' | 'perPage' | 'cursor'>;
const PAGE = 1000;
const MAX_PAGES = 20;

/** Every post group matching a query (page after page, up to 20 000), for lists and the calendar. */
async function listAllPosts(workspaceId: string, userId: string | null, query: ListQuery) {
  const groups: PostGroup[] = [];
  let total = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await request('post.list', {
      workspaceId,
      ...(userId ? { userId } : {}),
      query: { ...query, page, perPage: PAGE },
    });
    groups.push(...res.groups);
    total = res.total;
    if (groups.length >= total || res.groups.length < PAGE) break;
  }
  return { groups, total };
}

/** Every post group matching a query, as a query of `post.list` (refreshed when posts change). */
export function useAllPosts(
  workspaceId: string,
  userId: string | null,
  query: ListQuery,
  options: { keepPrevious?: boolean } = {},
) {
  return useContractWith(
    'post.list',
    { workspaceId, ...(userId ? { userId } : {}), query },
    () => listAllPosts(workspaceId, userId, query),
    options,
  );
}

/**
 * The calendar's days (`post.calendar`, D104): each day's count and its first `perDay` posts, as
 * the cells show them; refreshed when posts change, like every `post.*` read.
 */
export function useCalendarDays(
  workspaceId: string,
  userId: string | null,
  query: z.input<typeof CalendarQuery>,
  options: { keepPrevious?: boolean } = {},
) {
  return useContract('post.calendar', { workspaceId, ...(userId ? { userId } : {}), query }, options);
}

/** The queue's first call: a screenful and some, so the first rows paint at once (issue 11 first paint). */
export const QUEUE_FIRST_PAGE = 50;
/** Each later call, while the person scrolls: fewer, larger calls keep ahead of a fast scroll. */
export const QUEUE_PAGE = 1000;

interface QueuePageParam {
  cursor: string | null;
  perPage: number;
}

/**
 * The queue's post groups, soonest first, page after page by cursor as the person scrolls
 * (issue 11): the first rows come with a small first call, and `total` sizes the whole list.
 * Its key starts with `post.list`, so pushed changes refresh it like every other list.
 * Pages are new objects from the engine each time: comparing a hundred thousand loaded rows with
 * the previous answer (structural sharing) cost more than the frame it ran in, so it is off.
 */
export function useQueuePosts(workspaceId: string, userId: string | null, query: ListQuery) {
  const req = { workspaceId, ...(userId ? { userId } : {}), query: { ...query, order: 'asc' as const } };
  return useInfiniteQuery({
    queryKey: ['post.list', req, 'pages'],
    initialPageParam: { cursor: null, perPage: QUEUE_FIRST_PAGE } as QueuePageParam,
    queryFn: ({ pageParam }) =>
      request('post.list', {
        ...req,
        query: { ...req.query, perPage: pageParam.perPage, ...(pageParam.cursor ? { cursor: pageParam.cursor } : {}) },
      }),
    getNextPageParam: (last): QueuePageParam | null =>
      last.nextCursor ? { cursor: last.nextCursor, perPage: QUEUE_PAGE } : null,
    placeholderData: keepPreviousData,
    structuralSharing: false,
  });
}
