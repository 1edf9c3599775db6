/**
 * Whether a pipeline may call its provider right now, and if not, why (in the
 * vocabulary of windows/closed-because.ts), checked in this order:
 *
 *   operator or auth pause            → closed until an operator resumes
 *   daily-limit pause, same day       → closed until the next provider day
 *   window closed                     → closed until it opens
 *   breaker open                      → closed until the next probe
 *
 * Pure: the batch (at its start and every GATE_RECHECK_MS) and the re-arm
 * schedule ask it.
 */
import type { Provider } from "../catalog/provider";
import { BREAKER, type ControllerState } from "../controller/types";
import { providerDay, windowStatus } from "../windows/clock";
import { heldForOperator, type ClosedBecause } from "../windows/closed-because";
import type { PauseSnapshot } from "./ports";

export type Gate =
  /** `closesAt`: when the access window closes next (null: never), so callers need not ask the clock again. */
  | { open: true; closesAt: number | null }
  | { open: false; reason: ClosedBecause; until: number | null };

export function gate(provider: Provider, pause: PauseSnapshot | null, controller: ControllerState, now: number): Gate {
  // Only an operator lifts these: an operator pause, and a provider that refused the credential.
  if (heldForOperator(pause?.reason)) return { open: false, reason: pause!.reason, until: null };
  if (pause?.reason === "daily-limit" && providerDay(provider.timezone, pause.since) === providerDay(provider.timezone, now)) {
    return { open: false, reason: "daily-limit", until: null };
  }
  const window = windowStatus(provider, now);
  if (!window.open) return { open: false, reason: window.reason, until: window.opensAt };
  if (controller.breaker.status === BREAKER.OPEN) return { open: false, reason: "breaker-open", until: controller.breaker.nextProbeAt };
  return { open: true, closesAt: window.closesAt };
}
