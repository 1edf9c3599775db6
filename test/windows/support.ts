/** Builders shared by the window tests. */
import { WEEKDAYS, type AccessWindow, type MaintenanceWindow, type Weekday } from "../../runtime/catalog/schema";
import type { WindowSpec } from "../../runtime/windows/clock";

/** "2026-03-28T21:00" or with seconds, always UTC. */
export const utc = (iso: string): number => Date.parse(/Z$/.test(iso) ? iso : `${iso}${iso.length === 16 ? ":00" : ""}Z`);

export const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString().replace(/:00\.000Z$/, "").replace(/\.000Z$/, ""));

export function access(start: string, end: string, days: readonly Weekday[] = WEEKDAYS): AccessWindow {
  return { days: [...days], start, end };
}

export function maintenance(day: Weekday, start: string, end: string): MaintenanceWindow {
  return { day, start, end };
}

export function spec(timezone: string, accessWindows: AccessWindow[] = [], maintenanceWindows: MaintenanceWindow[] = []): WindowSpec {
  return { timezone, accessWindows, maintenanceWindows };
}
