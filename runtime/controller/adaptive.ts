/**
 * The default strategy: AIMD with CUBIC-like regrowth, a fast drop on a
 * failing provider, a breaker with doubling half-open waits, and a mapping
 * sized in time that moves rarely. β = decreaseFactor, W = lastGoodLimit (the
 * limit at the last decrease), L = report.limit (the limit the batch ran
 * under), P = report.peakInFlight, max = maxFanOut, interval =
 * minUpdateIntervalSeconds.
 *
 * A batch is judged on its recent calls, the last max(L, RECENT_MIN_SAMPLES) to
 * complete (of report.recent when the report is one wave of a batch): a long
 * batch (see mapping-update) whose start went well must not hide what its end
 * says about the provider now, and one wave of a single call is no verdict.
 *   bad = error, timeout or slow (timeouts count, or constant timeouts would look healthy)
 *   Congested ⇔ throttled > 0 ∨ bad / total > errorRateThreshold        (over the recent calls)
 *   Failing   ⇔ total ≥ FAILING_MIN_SAMPLES ∧ (error + timeout) / total ≥ FAILING_SHARE   (nearly every
 *               recent call errored or timed out: the provider is down, not busy; throttles mean busy,
 *               and a few calls started before the outage may still come back ok)
 *
 * Stale ⇔ L > limit: the limit already fell since the batch started (another shard or parallel
 *   batch reported the same congestion); the report changes nothing, so decreases never compound.
 *
 * Decrease (closed, congested, not stale):
 *   L = 1 ∧ limit = 1 → open the breaker
 *   failing          → limit = 1, W = max(W, L), lastDecreaseAt = now
 *                      (straight to the probe level: ×β per batch would take ~8 batches, each as long
 *                       as a timeout, to find out; W keeps the level that worked before the outage,
 *                       also when a first mixed wave of the outage already decreased once)
 *   otherwise        → limit = max(1, ⌊L × β⌋), W = L, lastDecreaseAt = now
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
 *   opens without a close; after a failed probe the wait counts from the probe's tick (see breaker).
 *   Half-open: a congested batch re-opens with trips + 1; each other batch is a good
 *   probe; probesToClose good probes → close at max(1, ⌊W × β⌋), i.e. as one more decrease from W.
 *   After a gradual collapse (decreases drove the limit to 1) W is small and the restart is 1 or 2: the
 *   probes proved one call at a time, nothing more. After an outage (the failing drop) W is the level
 *   that worked before it, and the restart is one decrease below it: the provider came back, its
 *   capacity did not go. The concave regrowth then closes the rest of the gap in a few batches.
 *
 * Mapping: see mapping-update (sized in time from a moving average of the latency, moved only outside
 *   [target / 2, 2 × target], at most one resize per interval; breaker actions never wait; a close
 *   sizes it for the restart limit).
 */
import type { AdaptiveControllerConfig } from "../catalog/schema";
import { badShare, summarize, type BatchStats } from "./batch-stats";
import { closeBreaker, doublingWaitMs, openBreaker, probeIfDue } from "./breaker";
import { MAX_MAPPING_BATCH_SIZE, MIN_WAVES, settleMapping, updateLatency, wavesOf } from "./mapping-update";
import { adaptiveConfig, clampLimit, initialState, keep } from "./state";
import { BREAKER, type BatchReport, type CallSample, type ControllerSettings, type ControllerState, type Decision, type Strategy } from "./types";

/** A batch's verdict reads at least this many of its last calls (all of them when it made fewer). */
export const RECENT_MIN_SAMPLES = 10;
/** Fewest recent calls, and the share of them that failed outright, that call the provider down rather than congested. */
export const FAILING_MIN_SAMPLES = 3;
export const FAILING_SHARE = 0.8;

export function isCongested(stats: BatchStats, errorRateThreshold: number): boolean {
  return stats.throttled > 0 || badShare(stats) > errorRateThreshold;
}

/** The calls a verdict reads: the last max(wave, RECENT_MIN_SAMPLES) to complete. */
export function recentSamples(samples: readonly CallSample[], wave: number): readonly CallSample[] {
  return samples.slice(-Math.max(wave, RECENT_MIN_SAMPLES));
}

export function isFailing(recent: BatchStats): boolean {
  return recent.total >= FAILING_MIN_SAMPLES && (recent.error + recent.timeout) / recent.total >= FAILING_SHARE;
}

/**
 * Whether a batch still running should stop starting calls: a throttle among
 * its recent calls, or, once a wave has completed, too many bad recent calls.
 * The rule the adaptive verdict applies, for the ventilator's early stop.
 */
export function congestedSoFar(samples: readonly CallSample[], wave: number, latencyThresholdMs: number, errorRateThreshold: number): boolean {
  const recent = summarize(recentSamples(samples, wave), latencyThresholdMs);
  return recent.throttled > 0 || (samples.length >= wave && isCongested(recent, errorRateThreshold));
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

/** Limit the pipeline restarts at when the breaker closes. */
export function restartBatchSize(state: ControllerState, config: AdaptiveControllerConfig, maxFanOut: number): number {
  return clampLimit(Math.floor(state.lastGoodLimit * config.decreaseFactor), maxFanOut);
}

function afterBatch(before: ControllerState, report: BatchReport, settings: ControllerSettings, now: number): Decision {
  const config = adaptiveConfig(settings);
  if (report.samples.length === 0) return keep(before);
  const latencyMs = updateLatency(before.latencyMs, report.samples);
  const state: ControllerState = latencyMs === undefined ? before : { ...before, latencyMs };
  const max = settings.maxFanOut;
  const intervalMs = config.minUpdateIntervalSeconds * 1000;
  const wait = (trips: number) => doublingWaitMs(trips, config.breaker.baseIntervalMinutes, config.breaker.maxIntervalMinutes);
  const ran = report.limit;
  const recent = summarize(recentSamples(report.recent ?? report.samples, ran), settings.latencyThresholdMs);
  const congested = isCongested(recent, settings.errorRateThreshold);
  const waves = wavesOf(latencyMs);

  switch (state.breaker.status) {
    case BREAKER.OPEN:
      // Still running when the breaker opened: the mapping is disabled, nothing to decide.
      return keep(before);
    case BREAKER.HALF_OPEN: {
      if (ran > state.limit) return keep(state);
      if (congested) return openBreaker(state, now, wait);
      const goodProbes = state.breaker.goodProbes + 1;
      if (goodProbes < config.breaker.probesToClose) return keep({ ...state, breaker: { ...state.breaker, goodProbes } });
      const restart = restartBatchSize(state, config, max);
      return closeBreaker(state, now, restart, Math.min(MAX_MAPPING_BATCH_SIZE, (waves ?? MIN_WAVES) * restart));
    }
    case BREAKER.CLOSED: {
      if (ran > state.limit) return settleMapping(state, now, intervalMs, waves);
      if (congested) {
        if (ran <= 1 && state.limit <= 1) return openBreaker(state, now, wait);
        const failing = isFailing(recent);
        const limit = failing ? 1 : clampLimit(ran * config.decreaseFactor, max);
        const lastGoodLimit = clampLimit(failing ? Math.max(state.lastGoodLimit, ran) : ran, max);
        const decreased = { ...state, limit, lastGoodLimit, lastDecreaseAt: now };
        return settleMapping(decreased, now, intervalMs, waves);
      }
      const grown = clampLimit(regrow(ran, report.peakInFlight, state, intervalMs, now), max);
      return settleMapping({ ...state, limit: Math.max(state.limit, grown) }, now, intervalMs, waves);
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
