import { DateTime } from 'luxon';

/*
 * "Tue, 1 Dec 2026, 10:30 JST": an instant on the wall clock of a zone, as its people read it.
 *
 * A list shows one of these per row, and a row comes into view every few milliseconds while a long
 * queue scrolls (issue 11 `ui_queue_100k_scroll`). Through Luxon each call parsed the ISO string,
 * worked out the zone's offset, built a formatter object and looked its Intl formatter up by a JSON
 * key; here one Intl formatter per zone (made once, kept) formats the instant and one more names
 * the zone's offset. The words are the ones Luxon gave (test/unit/zone-time.test.ts compares them
 * over many zones and instants); anything but a plain instant with an offset still goes through Luxon.
 */

/** The fields of the time, as Luxon's `toLocaleString` was given them (the test gives Luxon these). */
export const TIME_FIELDS = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
} as const satisfies Intl.DateTimeFormatOptions;

/** How Luxon asks Intl for a zone's short offset name (`offsetNameShort`). */
const OFFSET_NAME_FIELDS = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
} as const satisfies Intl.DateTimeFormatOptions;

/** An ISO 8601 instant that names its offset (what the engine sends): Date.parse reads it exactly. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

interface ZoneFormatters {
  time: Intl.DateTimeFormat;
  offsetName: Intl.DateTimeFormat;
}

/** Per zone; null for a zone Intl does not know by that name (Luxon has the last word on it). */
const formatters = new Map<string, ZoneFormatters | null>();

function formattersOf(zone: string): ZoneFormatters | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = {
        time: new Intl.DateTimeFormat(undefined, { ...TIME_FIELDS, timeZone: zone }),
        offsetName: new Intl.DateTimeFormat(undefined, { ...OFFSET_NAME_FIELDS, timeZone: zone }),
      };
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Through Luxon: for strings that are not plain instants (a local time, a week date, …). */
function formatWithLuxon(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return iso;
  return `${dt.toLocaleString(TIME_FIELDS)} ${dt.offsetNameShort ?? ''}`;
}

/** "Tue, 1 Dec 2026, 10:30 JST" — a time as the zone's people read it; the input as it came when it is no time. */
export function formatInZone(iso: string, zone: string): string {
  if (!INSTANT.test(iso)) return formatWithLuxon(iso, zone);
  const f = formattersOf(zone);
  const at = Date.parse(iso);
  if (f === null || Number.isNaN(at)) return formatWithLuxon(iso, zone);
  const name = f.offsetName.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return `${f.time.format(at)} ${name}`;
}
