/**
 * Instants and durations as the operator reads them: the provider's local time
 * (its windows and day are in that zone) next to UTC (the on-call's common
 * clock), and short relative durations for the at-a-glance table.
 */
import { formatLocal } from "../runtime/windows/clock";

/** "2026-11-30T20:00Z": UTC to the minute. */
export function utcMinute(at: number): string {
  return new Date(at).toISOString().slice(0, 16) + "Z";
}

/** "Mon 2026-11-30 20:00 GMT (2026-11-30T20:00Z)". */
export function localAndUtc(timezone: string, at: number): string {
  return `${formatLocal(timezone, at)} (${utcMinute(at)})`;
}

/** For JSON: both readings of an instant. */
export interface InstantJson {
  utc: string;
  local: string;
}

export function instantJson(timezone: string, at: number): InstantJson {
  return { utc: new Date(at).toISOString(), local: formatLocal(timezone, at) };
}

const UNITS: readonly [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** "2h 5m", "45s", "3d 4h": the largest unit and the next one when not zero, rounded down; "0s" under a second. */
export function shortDuration(ms: number): string {
  const abs = Math.floor(Math.abs(ms));
  const i = UNITS.findIndex(([, size]) => abs >= size);
  if (i < 0) return "0s";
  const [unit, size] = UNITS[i]!;
  const n = Math.floor(abs / size);
  const next = UNITS[i + 1];
  const m = next ? Math.floor((abs - n * size) / next[1]) : 0;
  return next && m > 0 ? `${n}${unit} ${m}${next[0]}` : `${n}${unit}`;
}

/** "in 5m" or "5m ago" relative to now. */
export function relative(at: number, now: number): string {
  return at >= now ? `in ${shortDuration(at - now)}` : `${shortDuration(now - at)} ago`;
}
