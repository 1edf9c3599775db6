/**
 * The two questions the policies ask of a contract's windows, on real instants
 * (runtime/windows: the same clock the ventilator obeys, DST rules included).
 *
 * - Is the provider inside a maintenance window at `at`? Only the maintenance
 *   windows count: deploying outside access hours is fine, deploying while
 *   the provider changes its own systems is not. Windows are half-open, so a
 *   deploy at the window's first instant is inside it and one at its end is not.
 *
 * - How long can the provider stay closed (outside access or in maintenance)?
 *   The longest gap between open stretches over 53 weeks from `from`, in real
 *   minutes. The catalog's weekly view measures the wall clock; on a night the
 *   clocks go back a closed stretch lasts an hour longer than the wall clock
 *   says, and queued records must survive that hour too. 53 weeks hold every
 *   DST change of a year; stretches cut by the frame's edges recur inside it.
 */
import type { MaintenanceWindow } from "../runtime/catalog/schema";
import { formatLocal, windowStatus } from "../runtime/windows/clock";
import { timeline } from "../runtime/windows/timeline";
import { localDayNumber, MS_PER_MINUTE, providerZone } from "../runtime/windows/zone";
import type { ProviderContract } from "./contract";

export interface MaintenanceHit {
  window: MaintenanceWindow;
  /** Epoch ms at which this window ends. */
  endsAt: number;
}

/** The maintenance window `at` falls in, or null. */
export function maintenanceAt(contract: Pick<ProviderContract, "timezone" | "maintenanceWindows">, at: number): MaintenanceHit | null {
  for (const window of contract.maintenanceWindows) {
    const status = windowStatus({ timezone: contract.timezone, accessWindows: [], maintenanceWindows: [window] }, at);
    if (!status.open && status.opensAt !== null) return { window, endsAt: status.opensAt };
  }
  return null;
}

export interface ClosedStretch {
  /** Real minutes from close to open. */
  minutes: number;
  start: number;
  end: number;
}

export const CLOSED_SCAN_DAYS = 7 * 53;

/** The longest closed stretch in the 53 weeks from `from`; null when the provider never closes, minutes Infinity when it never opens. */
export function longestClosedStretch(
  contract: Pick<ProviderContract, "timezone" | "accessWindows" | "maintenanceWindows">,
  from: number,
  days: number = CLOSED_SCAN_DAYS,
): ClosedStretch | null {
  const zone = providerZone(contract.timezone);
  const t = timeline(contract, zone, localDayNumber(zone, from), days);
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

/** "sun 01:00-04:00", as the tag writes it. */
export function describeMaintenance(w: MaintenanceWindow): string {
  return `${w.day} ${w.start}-${w.end}`;
}

export function localTime(timezone: string, at: number): string {
  return formatLocal(timezone, at);
}
