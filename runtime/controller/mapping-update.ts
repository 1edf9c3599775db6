/**
 * How the event source mapping follows the limit. All Lambda control-plane
 * calls of an account share 15 requests/s, so the adaptive strategy updates
 * the mapping rarely; the step strategy (the demo) updates it on every change.
 *
 * The ventilator enforces the limit in-process on its fan-out, so the mapping
 * only has to be a ceiling that lets the limit be used: fan-out = min(limit,
 * batch size). Adaptive keeps it within [limit, 2 × limit] (two waves at most):
 *
 *   grow   ⇔ limit > appliedBatchSize          → batchSize = min(maxBatchSize, 2 × limit)
 *   shrink ⇔ 2 × limit < appliedBatchSize      → batchSize = 2 × limit
 *   and only when lastUpdateAt = null ∨ now − lastUpdateAt ≥ minUpdateIntervalSeconds × 1000
 *
 * Headroom above the limit means regrowth up to twice the limit is tested
 * batch by batch without a control-plane call, and a limit that dips below
 * the mapping (a decrease, a sawtooth around a capacity cap) costs none.
 * A resize records appliedBatchSize and lastUpdateAt = now.
 */
import { keep } from "./state";
import type { ControllerState, Decision } from "./types";

/** Batch size the mapping should be moved to, or null while it still fits the limit. */
export function mappingTarget(limit: number, appliedBatchSize: number, maxBatchSize: number): number | null {
  if (limit > appliedBatchSize) return Math.min(maxBatchSize, 2 * limit);
  if (2 * limit < appliedBatchSize) return 2 * limit;
  return null;
}

export function settleMapping(state: ControllerState, now: number, minIntervalMs: number, maxBatchSize: number): Decision {
  const target = mappingTarget(state.limit, state.appliedBatchSize, maxBatchSize);
  if (target === null) return keep(state);
  if (state.lastUpdateAt !== null && now - state.lastUpdateAt < minIntervalMs) return keep(state);
  return resize(state, target, now);
}

/** The demo's rule: every change of the limit is a mapping update. */
export function followLimit(state: ControllerState, now: number): Decision {
  return state.limit === state.appliedBatchSize ? keep(state) : resize(state, state.limit, now);
}

function resize(state: ControllerState, batchSize: number, now: number): Decision {
  return { state: { ...state, appliedBatchSize: batchSize, lastUpdateAt: now }, action: { type: "resize", batchSize } };
}
