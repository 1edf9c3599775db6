/**
 * Whether a pipeline may call its provider right now, and if not, why. Pure:
 * the batch path and the re-arm schedule both ask it.
 */
import type { Provider } from "../catalog/provider";
import { BREAKER, type ControllerState } from "../controller/types";
import { providerDay, windowStatus } from "../windows/clock";
import type { PauseReason, PauseSnapshot } from "./ports";

export type Gate =
  /** `closesAt`: when the access window closes next (null: never), so callers need not ask the clock again. */
  | { open: true; closesAt: number | null }
  | { open: false; reason: PauseReason | "breaker-open"; until: number | null };

export function gate(provider: Provider, pause: PauseSnapshot | null, controller: ControllerState, now: number): Gate {
  // Only an operator lifts these: an operator pause, and a provider that refused the credential.
  if (pause?.reason === "operator" || pause?.reason === "auth") return { open: false, reason: pause.reason, until: null };
  if (pause?.reason === "daily-limit" && providerDay(provider.timezone, pause.since) === providerDay(provider.timezone, now)) {
    return { open: false, reason: "daily-limit", until: null };
  }
  const window = windowStatus(provider, now);
  if (!window.open) return { open: false, reason: window.reason === "maintenance" ? "maintenance" : "outside-window", until: window.opensAt };
  if (controller.breaker.status === BREAKER.OPEN) return { open: false, reason: "breaker-open", until: controller.breaker.nextProbeAt };
  return { open: true, closesAt: window.closesAt };
}
