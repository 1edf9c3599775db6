/**
 * The chaos profile behind each local pipeline: the chaos worker's settings
 * (latency, slow, error and throttle shares) it runs with. A chaos provider's
 * profile is its catalog settings. An http provider cannot call its real API
 * locally, so it runs on the chaos worker with a profile derived from the
 * thresholds the catalog gives it (τ = latencyThresholdMs, T = worker timeout):
 *
 *   baseLatencyMs   = τ / 10                    healthy calls well inside the threshold
 *   slowPercentage  = 2, slowMs = min(1.5 τ, 0.8 T)   1 call in 50 slow, yet not a timeout
 *   errorPercentage = 1, throttlePercentage = 0
 *
 * so a derived provider is healthy but not perfect, like the demo provider.
 */
import type { Provider } from "../../runtime/catalog/provider";
import type { ChaosSettings } from "../../runtime/catalog/schema";

export interface ProviderProfile {
  profile: ChaosSettings;
  /** True when the catalog's worker is not the chaos worker and the profile was derived. */
  derived: boolean;
}

export function providerProfile(provider: Provider): ProviderProfile {
  const worker = provider.worker;
  if (worker.module === "chaos") return { profile: { ...worker.settings }, derived: false };
  const threshold = provider.latencyThresholdMs;
  return {
    profile: {
      baseLatencyMs: Math.round(threshold / 10),
      slowPercentage: 2,
      slowMs: Math.round(Math.min(1.5 * threshold, 0.8 * worker.timeoutSeconds * 1_000)),
      errorPercentage: 1,
      throttlePercentage: 0,
    },
    derived: true,
  };
}
