/**
 * The default strategy: AIMD with CUBIC-like regrowth, a breaker with doubling
 * half-open waits, and a mapping that moves rarely. β = decreaseFactor,
 * W = lastGoodLimit (the limit at the last decrease), L = report.limit (the
 * limit the batch ran under), P = report.peakInFlight, max = maxBatchSize,
 * interval = minUpdateIntervalSeconds.
 *
 * Congested ⇔ throttled > 0 ∨ bad / total > errorRateThreshold
 *   (bad = error, timeout or slow: timeouts count, or constant timeouts would look healthy)
 *
 * Stale ⇔ L > limit: the limit already fell since the batch started (another shard or parallel
 *   batch reported the same congestion); the report changes nothing, so decreases never compound.
 *
 * Decrease (closed, congested, not stale):
 *   L = 1 ∧ limit = 1 → open the breaker
 *   otherwise       → limit = max(1, ⌊L × β⌋), W = L, lastDecreaseAt = now
 *   (from L, not the current limit: a batch that ran under a lower limit says that level congested)
 *
 * Growth (closed, not congested, not stale), from what the batch ran:
 *   P × 2 < L          → none: the batch did not use the limit (Netflix concurrency-limits)
 *   L < W − 1          → L + ⌈(W − 1 − L) / 2⌉    concave: close half the gap below the level that congested
 *   P < L              → none: past that level only a fully used limit counts as a probe
 *   now − lastDecreaseAt < interval → none: plateau, at most one probe of the congested level per interval
 *   otherwise          → L + max(1, L − (W − 1))  convex: probes W, W+1, W+3, W+7 …, the distance past the
 *                                                 last good level doubles while probes stay good
 *   limit = max(limit, min(max, growth))        parallel batches that ran the same L grow it once, not N times
 *
 * Breaker: wait(trips) = min(maxIntervalMinutes, baseIntervalMinutes × 2^(trips − 1)), trips = consecutive
 *   opens without a close. Half-open: a congested batch re-opens with trips + 1; each other batch is a good
 *   probe; probesToClose good probes → close at max(1, ⌊W × β⌋), i.e. as one more decrease from W. The
 *   breaker only opens after decreases drove the limit to 1, so W is then the small limit of the last
 *   decrease and the restart is 1 or 2: the probes proved one call at a time, nothing more. The convex
 *   regrowth then roughly doubles the limit per good batch and each mapping update doubles the
 *   headroom, so the old level is back after a few mapping updates.
 *
 * Mapping: see mapping-update (within [limit, 2 × limit], at most one resize per interval; breaker
 *   actions never wait).
 */
import type { AdaptiveControllerConfig } from "../catalog/schema";
import { badShare, summarize, type BatchStats } from "./batch-stats";
import { closeBreaker, doublingWaitMs, openBreaker, probeIfDue } from "./breaker";
import { settleMapping } from "./mapping-update";
import { adaptiveConfig, clampLimit, initialState, keep } from "./state";
import { BREAKER, type BatchReport, type ControllerSettings, type ControllerState, type Decision, type Strategy } from "./types";

export function isCongested(stats: BatchStats, errorRateThreshold: number): boolean {
  return stats.throttled > 0 || badShare(stats) > errorRateThreshold;
}

/** The limit a good batch that ran under `ran` with `peak` calls in flight earns (before the cap). */
export function regrow(ran: number, peak: number, state: ControllerState, plateauMs: number, now: number): number {
  if (peak * 2 < ran) return ran;
  const lastGood = state.lastGoodLimit - 1;
  if (ran < lastGood) return ran + Math.ceil((lastGood - ran) / 2);
  if (peak < ran) return ran;
  if (state.lastDecreaseAt !== null && now - state.lastDecreaseAt < plateauMs) return ran;
  return ran + Math.max(1, ran - lastGood);
}

/** Batch size the mapping restarts at when the breaker closes. */
export function restartBatchSize(state: ControllerState, config: AdaptiveControllerConfig, maxBatchSize: number): number {
  return clampLimit(Math.floor(state.lastGoodLimit * config.decreaseFactor), maxBatchSize);
}

function afterBatch(state: ControllerState, report: BatchReport, settings: ControllerSettings, now: number): Decision {
  const config = adaptiveConfig(settings);
  if (report.samples.length === 0) return keep(state);
  const max = settings.maxBatchSize;
  const intervalMs = config.minUpdateIntervalSeconds * 1000;
  const wait = (trips: number) => doublingWaitMs(trips, config.breaker.baseIntervalMinutes, config.breaker.maxIntervalMinutes);
  const congested = isCongested(summarize(report.samples, settings.latencyThresholdMs), settings.errorRateThreshold);
  const ran = report.limit;

  switch (state.breaker.status) {
    case BREAKER.OPEN:
      // Still running when the breaker opened: the mapping is disabled, nothing to decide.
      return keep(state);
    case BREAKER.HALF_OPEN: {
      if (ran > state.limit) return keep(state);
      if (congested) return openBreaker(state, now, wait);
      const goodProbes = state.breaker.goodProbes + 1;
      if (goodProbes >= config.breaker.probesToClose) return closeBreaker(state, now, restartBatchSize(state, config, max));
      return keep({ ...state, breaker: { ...state.breaker, goodProbes } });
    }
    case BREAKER.CLOSED: {
      if (ran > state.limit) return settleMapping(state, now, intervalMs, max);
      if (congested) {
        if (ran <= 1 && state.limit <= 1) return openBreaker(state, now, wait);
        const decreased = { ...state, limit: clampLimit(ran * config.decreaseFactor, max), lastGoodLimit: clampLimit(ran, max), lastDecreaseAt: now };
        return settleMapping(decreased, now, intervalMs, max);
      }
      const grown = clampLimit(regrow(ran, report.peakInFlight, state, intervalMs, now), max);
      return settleMapping({ ...state, limit: Math.max(state.limit, grown) }, now, intervalMs, max);
    }
  }
}

export const adaptiveStrategy: Strategy = {
  name: "adaptive",
  initial(settings: ControllerSettings): ControllerState {
    adaptiveConfig(settings);
    return initialState(settings);
  },
  afterBatch,
  onSchedule(state: ControllerState, settings: ControllerSettings, now: number): Decision {
    adaptiveConfig(settings);
    return probeIfDue(state, now);
  },
};
