/**
 * Time compression for `sluice local --speed X`: provider time runs X times
 * faster than the wall clock for every interval, so minutes of breaker waits
 * and re-arm ticks fit in a demo.
 *
 *   intervals ÷ X: breaker half-open waits, the step strategy's re-arm wait,
 *     the mapping hysteresis (minUpdateIntervalSeconds), the re-arm schedule,
 *     Lambda's mapping update delay, the ventilator's update spacing and its
 *     pause before handing back a batch it could not work
 *   latencies ÷ f, f = min(X, max(1, latencyThresholdMs / LATENCY_FLOOR_MS)):
 *     chaos latencies, the latency threshold and the worker timeout
 *
 * Latencies are compressed less because the local engines add their own
 * latency to every call (the HTTP hop through the Lambda emulator, the worker's
 * ledger write on DynamoDB Local): 20–60 ms on an idle machine, a p50 of 250 ms
 * and a p95 of 900 ms measured on a busy 2-core one. A threshold compressed
 * near that would count healthy calls as slow and the breaker would open on
 * the engines' account, so the threshold is never compressed below 1 s.
 * A compressed entry goes through validateProvider again (see plan.ts), so
 * the catalog's own rules (ranges, threshold below the timeout) still hold.
 */
import type { Provider } from "../../runtime/catalog/provider";
import { serializeProvider } from "../../runtime/catalog/provider";
import type { ChaosSettings } from "../../runtime/catalog/schema";
import { STACK_DEFAULTS } from "../../components/settings";
import { MAPPING_CONTROL_DEFAULTS } from "../../runtime/mapping/settings";
import { HAND_BACK_PAUSE_MS } from "../../runtime/ventilator/batch";

export const LATENCY_FLOOR_MS = 1_000;

/** Lambda applies an UpdateEventSourceMapping after about this long (the emulator's default). */
export const LAMBDA_UPDATE_DELAY_MS = 1_000;
/** Lambda polls an idle shard about once a second. */
export const IDLE_POLL_MS = 1_000;
/** Idle polls are not compressed below this: each is a GetRecords call to kinesis-mock. */
export const MIN_IDLE_POLL_MS = 100;

const MINUTE_MS = 60_000;
/** The catalog's smallest breaker / re-arm interval, in minutes. */
const MIN_INTERVAL_MINUTES = 0.01;

export function latencyFactor(latencyThresholdMs: number, speed: number): number {
  return Math.min(speed, Math.max(1, latencyThresholdMs / LATENCY_FLOOR_MS));
}

/** Timings of the engines and the pipeline at `speed` (shared by every provider). */
export function compressedTimings(speed: number): { rearmIntervalMs: number; updateDelayMs: number; mappingUpdateIntervalMs: number; pollIntervalMs: number; handBackPauseMs: number } {
  return {
    rearmIntervalMs: Math.max(1, Math.round((STACK_DEFAULTS.rearmIntervalMinutes * MINUTE_MS) / speed)),
    updateDelayMs: Math.round(LAMBDA_UPDATE_DELAY_MS / speed),
    mappingUpdateIntervalMs: Math.round(MAPPING_CONTROL_DEFAULTS.minUpdateIntervalMs / speed),
    pollIntervalMs: Math.max(MIN_IDLE_POLL_MS, Math.round(IDLE_POLL_MS / speed)),
    handBackPauseMs: Math.round(HAND_BACK_PAUSE_MS / speed),
  };
}

/** Chaos latencies ÷ factor; shares are untouched. Accepts a partial profile (a scenario step). */
export function compressChaos<T extends Partial<ChaosSettings>>(settings: T, factor: number): T {
  const out = { ...settings };
  if (out.baseLatencyMs !== undefined) out.baseLatencyMs = Math.round(out.baseLatencyMs / factor);
  if (out.slowMs !== undefined) out.slowMs = Math.round(out.slowMs / factor);
  return out;
}

const minutes = (value: number, speed: number): number => Math.max(MIN_INTERVAL_MINUTES, value / speed);

/** A provider as catalog input with every default already filled (what serializeProvider writes). */
export type ResolvedEntry = Omit<Provider, "concurrentBatches" | "longestClosedMinutes">;

export function resolvedEntry(provider: Provider): ResolvedEntry {
  return JSON.parse(serializeProvider(provider)) as ResolvedEntry;
}

/** The entry's intervals ÷ speed and latencies ÷ factor; validate the result with validateProvider. */
export function compressEntry(entry: ResolvedEntry, speed: number, factor: number): ResolvedEntry {
  const threshold = Math.max(1, Math.round(entry.latencyThresholdMs / factor));
  // Whole seconds, and above the threshold: the catalog insists a timeout counts as slow.
  const timeoutSeconds = Math.max(1, Math.ceil(entry.worker.timeoutSeconds / factor), Math.floor(threshold / 1_000) + 1);
  const c = entry.controller;
  const controller: ResolvedEntry["controller"] =
    c.strategy === "step"
      ? c
      : {
          ...c,
          minUpdateIntervalSeconds: Math.round(c.minUpdateIntervalSeconds / speed),
          breaker: { ...c.breaker, baseIntervalMinutes: minutes(c.breaker.baseIntervalMinutes, speed), maxIntervalMinutes: minutes(c.breaker.maxIntervalMinutes, speed) },
        };
  return { ...entry, latencyThresholdMs: threshold, worker: { ...entry.worker, timeoutSeconds }, controller };
}
