/**
 * Wall-clock time ↔ instants in a provider's IANA zone, with the DST rules
 * every window boundary obeys. Decided once, here:
 *
 * - Spring-forward gap: a local time that does not exist (02:30 on 2026-03-08
 *   in New York) resolves to the transition instant, the first instant after
 *   the gap (03:00 EDT). A window whose start and end both fall in the gap is
 *   empty that day.
 * - Fall-back overlap: a local time that happens twice (01:30 on 2026-11-01 in
 *   New York) resolves to its first occurrence (01:30 EDT). When the clock shows
 *   01:30 again an hour later the boundary has already passed.
 *
 * Each boundary resolves on its own, so a window lasts its wall-clock length:
 * 20:00–06:00 is 9 real hours on a spring-forward night and 11 on a fall-back
 * night. Resolution is monotone (a later wall time never gives an earlier
 * instant), so the order of boundaries on the wall clock is kept.
 *
 * Formula. A wall time w is the local fields read as if they were UTC, in ms.
 * Candidate offsets are the zone's offsets one day before and after w (every
 * real offset lies within ±14 h, so any instant showing w lies between them).
 * An offset o is valid when offset(w − o) = o. Two valid offsets: an overlap,
 * take the earlier instant. None: a gap, whose transition T is the first
 * instant in (w − o_after, w − o_before] with offset o_after; found by binary
 * search to the millisecond. Like Temporal's reference algorithm this assumes
 * at most one transition within a day either side of w.
 */
import { IANAZone } from "luxon";
import { ClockError } from "../errors";

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

export type ProviderZone = IANAZone;

/** The zone named by a provider's `timezone`; a ClockError when tzdata does not know it. */
export function providerZone(timezone: string): ProviderZone {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new ClockError("timezone", timezone, "is not a known IANA time zone");
  return zone;
}

export function checkInstant(at: number): void {
  if (!Number.isFinite(at)) throw new ClockError("at", at, "is not an instant in epoch milliseconds");
}

export function offsetMs(zone: ProviderZone, at: number): number {
  return zone.offset(at) * MS_PER_MINUTE;
}

/** The wall time the zone's clocks show at `at`, as ms read as if UTC. */
export function instantToWall(zone: ProviderZone, at: number): number {
  return at + offsetMs(zone, at);
}

/** Days since 1970-01-01 of the local date at `at`. */
export function localDayNumber(zone: ProviderZone, at: number): number {
  return Math.floor(instantToWall(zone, at) / MS_PER_DAY);
}

/** 0 = Monday … 6 = Sunday, the order of WEEKDAYS (1970-01-01 was a Thursday). */
export function weekdayIndex(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** The instant of wall time `wall`, by the gap and overlap rules above. */
export function wallToInstant(zone: ProviderZone, wall: number): number {
  const before = offsetMs(zone, wall - MS_PER_DAY);
  const after = offsetMs(zone, wall + MS_PER_DAY);
  if (before === after) return wall - before; // no transition near w: the common case, two offset look-ups
  const valid = [before, after].filter((o) => offsetMs(zone, wall - o) === o).map((o) => wall - o);
  if (valid.length > 0) return Math.min(...valid);
  return transitionIn(zone, wall - after, wall - before, before);
}

/** First instant in (lo, hi] whose offset is no longer `old`. */
function transitionIn(zone: ProviderZone, lo: number, hi: number, old: number): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetMs(zone, mid) === old) lo = mid;
    else hi = mid;
  }
  return hi;
}
