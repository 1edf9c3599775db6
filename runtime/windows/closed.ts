/**
 * How long a provider can stay closed (outside its access windows or in
 * maintenance), in real minutes: the one computation behind the catalog's
 * retention check (runtime/catalog/validate) and the stream retention policy
 * (policies/stream-retention).
 *
 * The longest gap between open stretches on real instants over 53 weeks from
 * `from` (timeline.ts). The week view (weekly.ts) measures the wall clock; on
 * a night the clocks go back a closed stretch lasts the shift longer than the
 * wall clock says (an hour in most zones, 30 min on Lord Howe, 2 h in Troll),
 * and queued records must survive that too. 53 weeks hold every DST change
 * of a year; stretches cut by the frame's edges recur inside it.
 *
 * The scan costs tens of ms with daily windows, so a limit the wall-clock
 * figure clears by more than a day skips it: no zone's offset has ever moved
 * by more than a day at once.
 */
import { timeline, type WindowSpec } from "./timeline";
import { longestClosedMinutes, MINUTES_PER_DAY, MINUTES_PER_WEEK } from "./weekly";
import { localDayNumber, MS_PER_MINUTE, providerZone } from "./zone";

export interface ClosedStretch {
  /** Real minutes from close to open. */
  minutes: number;
  start: number;
  end: number;
}

export const CLOSED_SCAN_DAYS = 7 * 53;

/** The longest closed stretch in the 53 weeks from `from`; null when the provider never closes, minutes Infinity when it never opens. */
export function longestClosedStretch(spec: WindowSpec, from: number, days: number = CLOSED_SCAN_DAYS): ClosedStretch | null {
  const zone = providerZone(spec.timezone);
  const t = timeline(spec, zone, localDayNumber(zone, from), days);
  if (t.open.length === 0) return { minutes: Number.POSITIVE_INFINITY, start: t.frame.start, end: t.frame.end };
  let longest: ClosedStretch | null = null;
  for (let i = 1; i < t.open.length; i++) {
    const start = t.open[i - 1]!.end;
    const end = t.open[i]!.start;
    const minutes = (end - start) / MS_PER_MINUTE;
    if (!longest || minutes > longest.minutes) longest = { minutes, start, end };
  }
  return longest;
}

/** The longest closed stretch from `from` when it lasts more than `limitMinutes`, else null. */
export function closedLongerThan(spec: WindowSpec, limitMinutes: number, from: number): ClosedStretch | null {
  const wall = longestClosedMinutes(spec.accessWindows, spec.maintenanceWindows);
  if (wall < MINUTES_PER_WEEK && limitMinutes >= wall + MINUTES_PER_DAY) return null;
  const stretch = longestClosedStretch(spec, from);
  return stretch !== null && stretch.minutes > limitMinutes ? stretch : null;
}
