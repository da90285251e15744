import { platformAccount } from '../connections/names';
import { formatDateTime } from '../format';

/*
 * Activity entries are written by the engine for the log and its CSV export, with ids and ISO
 * times in them. On screen they read as people say them: names for ids the UI knows, the kind of
 * thing for those it does not, and local times.
 */

/** What an id stands for when its name is not at hand, by its prefix (src-main/engine/ids.ts). */
const things: Record<string, string> = {
  act: 'an activity entry',
  alink: 'an approval link',
  cmt: 'a comment',
  conn: 'a connection',
  dlv: 'a delivery',
  int: 'an integration',
  inv: 'an invitation',
  key: 'an API key',
  link: 'a connection link',
  med: 'an image',
  mem: 'a team member',
  pg: 'a post',
  prof: 'a person',
  sched: 'a schedule',
  ses: 'a session',
  slot: 'a queue slot',
  sub: 'a subscription',
  txn: 'a payment',
  user: 'a client',
  ws: 'a workspace',
};

const INTERNAL_ID = new RegExp(`\\b(${Object.keys(things).join('|')})_[\\w-]{10,}`, 'g');
const PLATFORM_ID = /\b(?:bluesky|mastodon|x|linkedin|threads|instagram|facebook)-(?=[\w:.-]*\d)[\w:.-]*\w/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** The names the UI knows, by id (members by member and profile id, clients by user id). */
export type KnownNames = ReadonlyMap<string, string>;

/** An activity entry's detail in words: "x-2244… : member mem_… uses …" → "X account: Eddie uses …". */
export function humanDetail(detail: string, zone: string, names: KnownNames): string {
  return detail
    .replace(ISO_TIME, (iso) => formatDateTime(iso, zone))
    .replace(/\bmember (mem_[\w-]{10,})/g, (_all, id: string) => names.get(id) ?? 'a team member')
    .replace(INTERNAL_ID, (id: string, prefix: string) => names.get(id) ?? things[prefix] ?? 'something')
    .replace(PLATFORM_ID, (platformId) => names.get(platformId) ?? platformAccount(platformId));
}
