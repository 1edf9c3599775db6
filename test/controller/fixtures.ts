/**
 * Test settings come from small catalogs validated like production ones (no
 * hand-written defaults); batches are written as one letter per call.
 */
import { validateProvider } from "../../runtime/catalog/validate";
import type { Provider } from "../../runtime/catalog/provider";
import type { BatchReport, CallSample } from "../../runtime/controller/types";

export const THRESHOLD_MS = 1_000;

type Overrides = Record<string, unknown>;

function provider(controller: Overrides, overrides: Overrides): Provider {
  return validateProvider({
    id: "acme",
    maxConcurrency: 10,
    maxFanOut: 10,
    latencyThresholdMs: THRESHOLD_MS,
    errorRateThreshold: 0.5,
    worker: { module: "chaos" },
    ...overrides,
    controller,
  });
}

export function adaptiveSettings(controller: Overrides = {}, overrides: Overrides = {}): Provider {
  return provider({ strategy: "adaptive", ...controller }, overrides);
}

export function stepSettings(controller: Overrides = {}, overrides: Overrides = {}): Provider {
  return provider({ strategy: "step", ...controller }, overrides);
}

/** Settings for any strategy by name (the peers take the same mechanics' settings as adaptive). */
export function strategySettings(strategy: string, controller: Overrides = {}, overrides: Overrides = {}): Provider {
  return provider({ strategy, ...controller }, overrides);
}

/** o ok, s ok but slow, e error, t throttled, x timeout (slow too). */
const CALLS: Record<string, CallSample> = {
  o: { latencyMs: THRESHOLD_MS / 10, outcome: "ok" },
  s: { latencyMs: THRESHOLD_MS * 2, outcome: "ok" },
  e: { latencyMs: THRESHOLD_MS / 10, outcome: "error" },
  t: { latencyMs: THRESHOLD_MS / 20, outcome: "throttled" },
  x: { latencyMs: THRESHOLD_MS * 30, outcome: "timeout" },
};

export function calls(pattern: string): CallSample[] {
  return [...pattern].map((c) => {
    const sample = CALLS[c];
    if (!sample) throw new Error(`unknown call letter "${c}"`);
    return sample;
  });
}

/** A batch that ran under `limit` with `peak` calls in flight (default: as many as calls, at most the limit). */
export function batch(pattern: string, limit: number, peak = Math.min(limit, pattern.length)): BatchReport {
  return { samples: calls(pattern), limit, peakInFlight: peak };
}

export const MINUTE = 60_000;
