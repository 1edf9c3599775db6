/**
 * Where a provider's local clock starts. The shipped providers may only be
 * called in off-peak windows (London nights, Sydney weeknights), so a local
 * run at an arbitrary hour would sit idle. By default each pipeline runs on an
 * offset clock that starts at the first instant t ≥ now such that
 *
 *   the provider is open throughout [t, t + need)   (windows and maintenance)
 *   providerDay(t) = providerDay(t + need)          (one provider day: the ledger's dedup key)
 *
 * with need = the run's timeout, so windows and maintenance still apply but
 * the demo shows work. Candidates are now, then each next opening, the next
 * open instant after a too-early close, and the next local midnight; the first
 * that fits wins. When none fits within a year (a window shorter than the run)
 * the first opening is used and the window closes during the run, as it would.
 */
import type { Provider } from "../../runtime/catalog/provider";
import type { Clock } from "../../runtime/ventilator/ports";
import { nextOpen, providerDay, providerDayEnd, windowStatus } from "../../runtime/windows/clock";

const MAX_CANDIDATES = 1_000;
const YEAR_MS = 366 * 86_400_000;

type WindowedProvider = Pick<Provider, "timezone" | "accessWindows" | "maintenanceWindows">;

export function localStart(provider: WindowedProvider, now: number, needMs: number): number {
  const firstOpen = nextOpen(provider, now) ?? now;
  let candidate: number | null = now;
  for (let i = 0; i < MAX_CANDIDATES && candidate !== null && candidate - now < YEAR_MS; i++) {
    const status = windowStatus(provider, candidate);
    if (!status.open) {
      candidate = status.opensAt;
      continue;
    }
    const end = candidate + needMs;
    if (status.closesAt !== null && status.closesAt < end) {
      candidate = nextOpen(provider, status.closesAt);
      continue;
    }
    if (providerDay(provider.timezone, candidate) !== providerDay(provider.timezone, end)) {
      candidate = providerDayEnd(provider.timezone, candidate);
      continue;
    }
    return candidate;
  }
  return firstOpen;
}

/** A clock that reads `start` at `origin` on the wall clock and runs at wall speed from there. */
export function offsetClock(start: number, origin: number, wall: () => number = Date.now): Clock & { offsetMs: number } {
  const offsetMs = start - origin;
  return { offsetMs, now: () => wall() + offsetMs };
}
