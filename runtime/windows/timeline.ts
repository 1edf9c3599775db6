/**
 * A provider's windows laid on real instants over a frame of local days.
 *
 * The week view (weekly.ts) gives each window as minutes of a wall-clock week;
 * here every weekly interval is placed on each local week that reaches the
 * frame, its two boundaries resolved to instants (zone.ts), and
 *   open = ⋃ access − ⋃ maintenance
 * clipped to the frame. With no access windows, access is the whole frame.
 * Work is proportional to the windows in the frame, not to its length in minutes.
 */
import type { Provider } from "../catalog/provider";
import { accessIntervals, maintenanceInterval, type WeekInterval } from "./weekly";
import { clip, subtract, union, type Span } from "./spans";
import { MS_PER_DAY, MS_PER_MINUTE, wallToInstant, weekdayIndex, type ProviderZone } from "./zone";

export type WindowSpec = Pick<Provider, "timezone" | "accessWindows" | "maintenanceWindows">;

export interface Timeline {
  /** From the first instant of local day `firstDay` to the first instant of the day after the last. */
  frame: Span;
  access: Span[];
  maintenance: Span[];
  open: Span[];
}

export function timeline(spec: WindowSpec, zone: ProviderZone, firstDay: number, days: number): Timeline {
  const wallFrom = firstDay * MS_PER_DAY;
  const wallTo = (firstDay + days) * MS_PER_DAY;
  const frame = { start: wallToInstant(zone, wallFrom), end: wallToInstant(zone, wallTo) };
  const place = (week: WeekInterval[]): Span[] => union(instances(week, zone, firstDay, wallTo, frame));
  const access = spec.accessWindows.length === 0 ? [frame] : place(spec.accessWindows.flatMap(accessIntervals));
  const maintenance = place(spec.maintenanceWindows.map(maintenanceInterval));
  return { frame, access, maintenance, open: subtract(access, maintenance) };
}

function instances(week: readonly WeekInterval[], zone: ProviderZone, firstDay: number, wallTo: number, frame: Span): Span[] {
  const wallFrom = firstDay * MS_PER_DAY;
  const spans: Span[] = [];
  // Start a week early: a Sunday-night window reaches into the Monday the frame starts on.
  for (let monday = firstDay - weekdayIndex(firstDay) - 7; monday * MS_PER_DAY < wallTo; monday += 7) {
    for (const w of week) {
      const from = monday * MS_PER_DAY + w.start * MS_PER_MINUTE;
      const to = monday * MS_PER_DAY + w.end * MS_PER_MINUTE;
      if (to <= wallFrom || from >= wallTo) continue;
      const span = clip({ start: wallToInstant(zone, from), end: wallToInstant(zone, to) }, frame);
      if (span.end > span.start) spans.push(span);
    }
  }
  return spans;
}
