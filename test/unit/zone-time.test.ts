import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatInZone, TIME_FIELDS } from '../../src-renderer/src/posts/zoneTime';

/** What the queue, the post page and the panels showed before (Luxon, issue 10 "local times"). */
function throughLuxon(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return iso;
  return `${dt.toLocaleString(TIME_FIELDS)} ${dt.offsetNameShort}`;
}

const ZONES = [
  'Europe/Paris',
  'Asia/Tokyo',
  'America/New_York',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Africa/Casablanca',
  'Europe/London',
  'UTC',
  'Etc/UTC',
];

describe('times on the wall clock of a zone (issue 11 ui_queue_100k_scroll: one Intl formatter per zone)', () => {
  it('says 2026 in twelve zones as Luxon did, every 12 hours and every 10 minutes around each change of clocks', () => {
    const start = Date.UTC(2026, 0, 1);
    const step = 12 * 3_600_000 + 7 * 60_000;
    const differ: string[] = [];
    let compared = 0;
    let changes = 0;
    const check = (t: number, zone: string) => {
      const iso = new Date(t).toISOString();
      const ours = formatInZone(iso, zone);
      const luxon = throughLuxon(iso, zone);
      if (ours !== luxon) differ.push(`${iso} in ${zone}: ${ours} ≠ ${luxon}`);
      compared++;
    };
    for (const zone of ZONES) {
      let offset = DateTime.fromMillis(start, { zone }).offset;
      for (let t = start; t < start + 365 * 86_400_000; t += step) {
        check(t, zone);
        const now = DateTime.fromMillis(t, { zone }).offset;
        if (now === offset) continue;
        // The clocks changed since the last sample: every 10 minutes back to it.
        changes++;
        for (let u = t - step + 600_000; u < t; u += 600_000) check(u, zone);
        offset = now;
      }
    }
    expect(differ).toEqual([]);
    expect(changes).toBeGreaterThanOrEqual(12);
    expect(compared).toBeGreaterThan(8_000);
  });

  it('reads instants written with an offset, with or without seconds and milliseconds', () => {
    for (const iso of [
      '2026-12-01T10:30:00+09:00',
      '2026-12-01T10:30+09:00',
      '2026-03-29T01:59:59.999Z',
      '2026-10-25T02:30:00.5+02:00',
    ])
      for (const zone of ['Asia/Tokyo', 'Europe/Paris'])
        expect(formatInZone(iso, zone), `${iso} in ${zone}`).toBe(throughLuxon(iso, zone));
    expect(formatInZone('2026-12-01T01:30:00Z', 'Asia/Tokyo')).toMatch(/10:30/);
  });

  it('leaves offset-less times, unknown zones and non-times to Luxon: the same words or the input as it came', () => {
    for (const [iso, zone] of [
      ['2026-12-01T10:30', 'Asia/Tokyo'],
      ['2026-W49-2T10:30Z', 'Europe/Paris'],
      ['2026-12-01T10:30:00Z', 'Mars/Olympus_Mons'],
      ['not a time', 'Europe/Paris'],
      ['2026-13-45T10:30:00Z', 'Europe/Paris'],
    ] as const)
      expect(formatInZone(iso, zone), `${iso} in ${zone}`).toBe(throughLuxon(iso, zone));
    expect(formatInZone('not a time', 'Europe/Paris')).toBe('not a time');
  });
});
