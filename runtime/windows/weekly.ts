/**
 * Windows as intervals of a wall-clock week (minute 0 = Monday 00:00 local).
 * This is the calendar-free view used to validate a catalog and size retention;
 * instants, DST and the provider day live in `clock.ts`.
 */
import { WEEKDAYS, type AccessWindow, type MaintenanceWindow, type Weekday } from "../catalog/schema";

export const MINUTES_PER_DAY = 1_440;
export const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** Half-open [start, end) in minutes of the week; end may pass MINUTES_PER_WEEK when it wraps into Monday. */
export interface WeekInterval {
  start: number;
  end: number;
}

export function clockToMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Length in minutes of a daily window; end ≤ start crosses midnight. */
export function windowLength(start: string, end: string): number {
  const s = clockToMinutes(start);
  const e = clockToMinutes(end);
  return e > s ? e - s : e + MINUTES_PER_DAY - s;
}

export function dayInterval(day: Weekday, start: string, end: string): WeekInterval {
  const s = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY + clockToMinutes(start);
  return { start: s, end: s + windowLength(start, end) };
}

export function accessIntervals(w: AccessWindow): WeekInterval[] {
  return w.days.map((d) => dayInterval(d, w.start, w.end));
}

export function maintenanceInterval(w: MaintenanceWindow): WeekInterval {
  return dayInterval(w.day, w.start, w.end);
}

/** Marks each minute of the week covered by any interval (wrapping past Sunday into Monday). */
export function coverage(intervals: readonly WeekInterval[]): Uint8Array {
  const mask = new Uint8Array(MINUTES_PER_WEEK);
  for (const { start, end } of intervals) {
    for (let m = start; m < end; m++) mask[m % MINUTES_PER_WEEK] = 1;
  }
  return mask;
}

/** Whether two intervals share at least one minute, modulo the week. */
export function intervalsOverlap(a: WeekInterval, b: WeekInterval): boolean {
  for (const shift of [-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK]) {
    if (a.start < b.end + shift && b.start + shift < a.end) return true;
  }
  return false;
}

/** Minutes of the week during which calls are allowed (inside access, outside maintenance). */
export function openMask(access: readonly AccessWindow[], maintenance: readonly MaintenanceWindow[]): Uint8Array {
  const open = access.length === 0 ? new Uint8Array(MINUTES_PER_WEEK).fill(1) : coverage(access.flatMap(accessIntervals));
  const closed = coverage(maintenance.map(maintenanceInterval));
  for (let m = 0; m < MINUTES_PER_WEEK; m++) if (closed[m]) open[m] = 0;
  return open;
}

/**
 * The longest run of minutes in which the provider may not be called,
 * across the week's wrap. Records queued at its start must survive it.
 */
export function longestClosedMinutes(access: readonly AccessWindow[], maintenance: readonly MaintenanceWindow[]): number {
  return longestRun(openMask(access, maintenance), 0);
}

/** The longest run of minutes in which calls are allowed, across the week's wrap; 0 when never. */
export function longestOpenMinutes(access: readonly AccessWindow[], maintenance: readonly MaintenanceWindow[]): number {
  return longestRun(openMask(access, maintenance), 1);
}

/** Longest run of `value` in the weekly mask; two passes over the week so a run crossing Sunday→Monday is counted whole. */
function longestRun(mask: Uint8Array, value: 0 | 1): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < 2 * MINUTES_PER_WEEK; i++) {
    if (mask[i % MINUTES_PER_WEEK] === value) longest = Math.max(longest, ++run);
    else run = 0;
  }
  return Math.min(longest, MINUTES_PER_WEEK);
}
