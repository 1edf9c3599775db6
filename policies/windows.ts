/**
 * Is the provider inside a maintenance window at `at`? On real instants
 * (runtime/windows: the same clock the ventilator obeys, DST rules included).
 * Only the maintenance windows count: deploying outside access hours is fine,
 * deploying while the provider changes its own systems is not. Windows are
 * half-open, so a deploy at the window's first instant is inside it and one at
 * its end is not. (How long it can stay closed: runtime/windows/closed.)
 */
import type { MaintenanceWindow } from "../runtime/catalog/schema";
import { formatLocal, windowStatus } from "../runtime/windows/clock";
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

/** "sun 01:00-04:00", as the tag writes it. */
export function describeMaintenance(w: MaintenanceWindow): string {
  return `${w.day} ${w.start}-${w.end}`;
}

export function localTime(timezone: string, at: number): string {
  return formatLocal(timezone, at);
}
