/**
 * How the event source mapping follows the limit. All Lambda control-plane
 * calls of an account share 15 requests/s, so the adaptive strategy updates
 * the mapping rarely; the step strategy (the demo) updates it on every change.
 *
 * The ventilator enforces the limit in-process on its fan-out, so the mapping
 * only has to be a ceiling: fan-out = min(limit, batch size). A shard has one
 * batch in flight, and a batch ends only when its slowest call does: with
 * heavy-tailed latencies a batch of one wave keeps the provider busy a small
 * part of the time (the simulator measured 16 % of the oracle at 20 calls
 * with a 300 ms median). Adaptive therefore sizes a batch in time, as many
 * waves as fill TARGET_BATCH_SECONDS at the latency just seen, so the drain at
 * its end is a small share of it:
 *
 *   waves  = clamp(⌈TARGET_BATCH_SECONDS × 1000 / latencyMs⌉, 2, MAX_MAPPING_BATCH_SIZE)
 *   latencyMs ← m on the first report, then latencyMs + w × (m − latencyMs), w = min(1, n / LATENCY_MEMORY_SAMPLES)
 *   m = mean latency of the report's ok calls (throttles and errors come back fast and say nothing of
 *       how long work takes), of all its calls when none was ok; n = its calls
 *   (a moving average: the ventilator reports wave by wave, and the mean of one wave of a
 *    heavy-tailed latency is too noisy to size a batch on; the simulator counted 26 resizes an
 *    hour on a healthy provider with per-wave means, 5 with the average)
 *   target = min(MAX_MAPPING_BATCH_SIZE, waves × limit)
 *   resize ⇔ mappingBatchSize < ⌈target / 2⌉ ∨ mappingBatchSize > 2 × target   → batchSize = target
 *   Before any latency is known the mapping only grows to MIN_WAVES × limit if it cannot even hold
 *   one wave, and is otherwise left alone.
 *   and only when lastUpdateAt = null ∨ now − lastUpdateAt ≥ minUpdateIntervalSeconds × 1000
 *
 * The band [target / 2, 2 × target] means a limit that moves by less than a
 * factor two (a decrease, a sawtooth around a capacity cap, regrowth) and the
 * noise of one batch's mean latency cost no control-plane call.
 * A resize records mappingBatchSize and lastUpdateAt = now.
 */
import { keep } from "./state";
import type { CallSample, ControllerState, Decision } from "./types";

/** Largest BatchSize a Kinesis event source mapping accepts. */
export const MAX_MAPPING_BATCH_SIZE = 10_000;
/** How long a batch should keep the provider busy before it drains. */
export const TARGET_BATCH_SECONDS = 240;
export const MIN_WAVES = 2;

/** Waves of `limit` calls a batch should hold, from the mean latency (ms) of the calls just made. */
export function wavesFor(meanLatencyMs: number): number {
  const waves = Math.ceil((TARGET_BATCH_SECONDS * 1000) / Math.max(1, meanLatencyMs));
  return Math.min(MAX_MAPPING_BATCH_SIZE, Math.max(MIN_WAVES, waves));
}

/** Mean latency of a batch's ok calls, of all its calls when none was ok; 0 for none. */
export function meanLatency(samples: readonly CallSample[]): number {
  let okSum = 0;
  let okCount = 0;
  let sum = 0;
  for (const s of samples) {
    sum += s.latencyMs;
    if (s.outcome === "ok") {
      okSum += s.latencyMs;
      okCount++;
    }
  }
  if (okCount > 0) return okSum / okCount;
  return samples.length === 0 ? 0 : sum / samples.length;
}

/** Calls after which a report's mean latency weighs fully in the estimate. */
export const LATENCY_MEMORY_SAMPLES = 200;

/** The latency estimate after a report (see the header); unchanged by a report without calls. Rounded to 0.1 ms. */
export function updateLatency(previous: number | undefined, samples: readonly CallSample[]): number | undefined {
  if (samples.length === 0) return previous;
  const mean = meanLatency(samples);
  const next = previous === undefined ? mean : previous + Math.min(1, samples.length / LATENCY_MEMORY_SAMPLES) * (mean - previous);
  return Math.round(next * 10) / 10;
}

/** Waves for the latency estimate, null while there is none. */
export function wavesOf(latencyMs: number | undefined): number | null {
  return latencyMs === undefined ? null : wavesFor(latencyMs);
}

/** Batch size the mapping should be moved to, or null while it still fits the limit. */
export function mappingTarget(limit: number, mappingBatchSize: number, waves: number | null): number | null {
  if (waves === null) return mappingBatchSize < limit ? Math.min(MAX_MAPPING_BATCH_SIZE, MIN_WAVES * limit) : null;
  const target = Math.min(MAX_MAPPING_BATCH_SIZE, waves * limit);
  if (mappingBatchSize < Math.ceil(target / 2) || mappingBatchSize > 2 * target) return target;
  return null;
}

/** The fan-out the mapping is sized for: during a dip (load-latency.ts) the level it left, which it returns to. */
export function sizingLimit(state: ControllerState): number {
  const dipFrom = state.loadLatency?.dipFrom;
  return dipFrom ? Math.max(state.limit, dipFrom.limit) : state.limit;
}

export function settleMapping(state: ControllerState, now: number, minIntervalMs: number, waves: number | null): Decision {
  const target = mappingTarget(sizingLimit(state), state.mappingBatchSize, waves);
  if (target === null) return keep(state);
  if (state.lastUpdateAt !== null && now - state.lastUpdateAt < minIntervalMs) return keep(state);
  return resize(state, target, now);
}

/** The demo's rule: every change of the limit is a mapping update. */
export function followLimit(state: ControllerState, now: number): Decision {
  return state.limit === state.mappingBatchSize ? keep(state) : resize(state, state.limit, now);
}

function resize(state: ControllerState, batchSize: number, now: number): Decision {
  return { state: { ...state, mappingBatchSize: batchSize, lastUpdateAt: now }, action: { type: "resize", batchSize } };
}
