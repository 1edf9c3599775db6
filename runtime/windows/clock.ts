/**
 * When a provider may be called, on real instants: access windows, maintenance
 * windows and the provider day, all in the provider's IANA zone.
 *
 * Rules. An access window {days, start, end} opens on each of `days` at
 * `start` local time and closes at `end`, on the next day when end ≤ start.
 * A maintenance window is the same, once a week. Callable = inside some access
 * window (always, when none is declared) and inside no maintenance window:
 * maintenance wins. Spans are half-open: callable at the opening instant, not at
 * the closing one. Overlapping or touching windows merge, so closesAt is the
 * real end of the open stretch, not the end of one window.
 * DST (see zone.ts): a boundary in a spring-forward gap moves to the first
 * instant after the gap; one in a fall-back overlap takes the first occurrence;
 * windows keep their wall-clock length.
 *
 * Search. The status reads a timeline of the 8 local days from today (about 50
 * boundaries for a nightly window), which settles any weekly pattern. Only when
 * the answer lies past it — a pattern that never closes or never opens (from the
 * week view's open mask), or a week whose only opening a DST gap swallowed — is
 * a 22-day timeline read, in which every weekly boundary occurs at least twice
 * outside a gap.
 */
import { DateTime } from "luxon";
import { ClockError } from "../errors";
import { WINDOW_CLOSED, type WindowClosed } from "./closed-because";
import { containing } from "./spans";
import { timeline, type Timeline, type WindowSpec } from "./timeline";
import { openMask } from "./weekly";
import { checkInstant, localDayNumber, providerZone } from "./zone";

export type { WindowSpec } from "./timeline";

/** Why a window is closed (see closed-because.ts). */
export type ClosedReason = WindowClosed;

export type WindowStatus =
  /** closesAt: epoch ms of the next close, null if it never closes. */
  | { open: true; closesAt: number | null }
  /** opensAt: epoch ms of the next opening, null if it never opens. */
  | { open: false; reason: ClosedReason; opensAt: number | null };

const SCAN_DAYS = 8;
const LONG_SCAN_DAYS = 22;

export function windowStatus(spec: WindowSpec, at: number): WindowStatus {
  checkInstant(at);
  const zone = providerZone(spec.timezone);
  if (spec.accessWindows.length === 0 && spec.maintenanceWindows.length === 0) return { open: true, closesAt: null };
  const today = localDayNumber(zone, at);
  const near = nearTimeline(spec, zone, today);
  const settled = settle(near, at);
  if (settled) return settled;

  const mask = openMask(spec.accessWindows, spec.maintenanceWindows);
  if (!mask.includes(0)) return { open: true, closesAt: null };
  if (!mask.includes(1)) return { open: false, reason: reasonAt(near, at), opensAt: null };
  const far = settle(timeline(spec, zone, today, LONG_SCAN_DAYS), at);
  if (far) return far;
  // The mask has both open and closed minutes, each recurring weekly; 22 days hold three weeks.
  throw new ClockError("timezone", spec.timezone, `gave no window boundary within ${LONG_SCAN_DAYS} days of ${at}: more than one DST transition in three weeks?`);
}

/**
 * The 8-day timeline from `today`, kept per spec for the last few days asked: the ventilator
 * asks for every batch and every tick, and resolving ~50 boundaries costs Intl offset look-ups.
 * Pure in (spec, zone, day), so a kept timeline is the one that would be built.
 */
const kept = new WeakMap<WindowSpec, Map<string, Timeline>>();
const KEPT_PER_SPEC = 4;

function nearTimeline(spec: WindowSpec, zone: ReturnType<typeof providerZone>, today: number): Timeline {
  let bySpec = kept.get(spec);
  if (!bySpec) kept.set(spec, (bySpec = new Map()));
  const key = `${zone.name}\n${today}`;
  let t = bySpec.get(key);
  if (!t) {
    t = timeline(spec, zone, today, SCAN_DAYS);
    bySpec.set(key, t);
    if (bySpec.size > KEPT_PER_SPEC) bySpec.delete(bySpec.keys().next().value!);
  }
  return t;
}

/** The status if the timeline decides it: an open stretch reaching the frame's end, or no opening in it, does not. */
function settle(t: Timeline, at: number): WindowStatus | undefined {
  const open = containing(t.open, at);
  if (open) return open.end < t.frame.end ? { open: true, closesAt: open.end } : undefined;
  const next = t.open.find((s) => s.start > at);
  return next ? { open: false, reason: reasonAt(t, at), opensAt: next.start } : undefined;
}

function reasonAt(t: Timeline, at: number): ClosedReason {
  return containing(t.maintenance, at) ? WINDOW_CLOSED.MAINTENANCE : WINDOW_CLOSED.OUTSIDE_WINDOW;
}

/** Inside an access window (or none declared) and not in maintenance. */
export function isCallable(spec: WindowSpec, at: number): boolean {
  return windowStatus(spec, at).open;
}

/** The first callable instant at or after `at`: `at` itself when open now; null if it never opens. */
export function nextOpen(spec: WindowSpec, at: number): number | null {
  const s = windowStatus(spec, at);
  return s.open ? at : s.opensAt;
}

/**
 * The first closed instant at or after `at`: `at` itself when closed now (the
 * mirror of nextOpen); null if it never closes. For the end of the next open
 * stretch while closed: nextClose(spec, nextOpen(spec, at)).
 */
export function nextClose(spec: WindowSpec, at: number): number | null {
  const s = windowStatus(spec, at);
  return s.open ? s.closesAt : at;
}

/** "YYYY-MM-DD" of `at` in the provider's zone: the key of the once-per-day dedup and daily limits. */
export function providerDay(timezone: string, at: number): string {
  return providerDayBounds(timezone, at).day;
}

/** The first instant after the provider day in which `at` falls (epoch ms): when its dedup and budget start over. */
export function providerDayEnd(timezone: string, at: number): number {
  return providerDayBounds(timezone, at).end;
}

/** The provider day of `at` with its bounds in epoch ms, `start` inclusive, `end` exclusive (23 or 25 hours apart across DST). */
export function providerDayBounds(timezone: string, at: number): { day: string; start: number; end: number } {
  checkInstant(at);
  const cached = lastDay.get(timezone);
  if (cached && at >= cached.start && at < cached.end) return cached;
  const local = DateTime.fromMillis(at, { zone: providerZone(timezone) });
  const bounds = { day: local.toFormat("yyyy-MM-dd"), start: local.startOf("day").toMillis(), end: local.endOf("day").toMillis() + 1 };
  lastDay.set(timezone, bounds);
  return bounds;
}

/**
 * The last provider day computed per zone, with its bounds: a batch asks for
 * the day of every record, and luxon's zone arithmetic dominated the
 * simulator's profile. A day's bounds never change, so reuse is exact.
 */
const lastDay = new Map<string, { day: string; start: number; end: number }>();

/**
 * `at` in the provider's zone for status views, e.g. "Mon 2026-11-30 20:00 GMT".
 * The zone name comes from en-US (EST, GMT, GMT+1, GMT+10), which tells the two
 * passes of a fall-back hour apart.
 */
export function formatLocal(timezone: string, at: number): string {
  checkInstant(at);
  return DateTime.fromMillis(at, { zone: providerZone(timezone) }).setLocale("en-US").toFormat("ccc yyyy-MM-dd HH:mm ZZZZ");
}
