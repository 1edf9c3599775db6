/**
 * The default strategy: a fan-out limit that moves only on evidence of load.
 * It runs on the shared mechanics (limit-strategy.ts: the evidence tests, the
 * breaker, stale reports, the mapping sized in time); this file is its limit
 * algorithm. β = decreaseFactor, W = lastGoodLimit (the level of the last
 * decrease), ran = the fan-out the wave ran under, P = the wave's peak in
 * flight, interval = minUpdateIntervalSeconds.
 *
 * Congestion is a test of evidence.ts that fires (the first, in this order):
 *   struggle  the share of bad calls (failed, throttled, slow) is clearly above errorRateThreshold
 *             and above what is normal for this provider
 *   throttle  throttles (429) clearly above the provider's own rate of them
 *   errors    errors and timeouts clearly above the provider's own rate of them
 * A slow tail, or an error rate, that does not depend on load is the provider's
 * normal: the baselines learn it and no test fires. One slow or failed call
 * never fires a test; a provider that fails most calls fires "down" within a
 * few, which the mechanics turn into an open breaker at once.
 *
 * Decrease (a test fired):   limit = max(1, ⌊ran × β⌋); the load tests then wait for the calls in flight
 *   under the old limit (evidence.ts: settle), so one overload costs one decrease
 * Hold (no test fired, but the wave gives no reason to grow): the wave had a throttle, or more bad
 *   calls than errorRateThreshold, or a load test is past half its threshold: limit unchanged
 * Growth (otherwise), from what the wave ran:
 *   P × 2 < ran        → none: the wave did not use the limit (Netflix concurrency-limits)
 *   ran < W − 1        → ran + ⌈(W − 1 − ran) / 2⌉   concave: close half the gap below the level that congested
 *   P < ran            → none: past that level only a fully used limit counts as a probe
 *   now − lastDecreaseAt < interval → none: plateau, at most one probe of the congested level per interval
 *   otherwise          → ran + max(1, ran − (W − 1))  convex: probes W, W+1, W+3, W+7 …, the distance past the
 *                                                   last good level doubling while probes stay good
 *   capped at the ceiling a dip left (load-latency.ts)
 * Latency that rises with load (no test fires for it: a queueing provider neither fails nor throttles):
 *   dips (load-latency.ts) compare the latency at half the limit;
 *   loaded      → limit = ceiling = W = d if e ≥ E_STEEP, else max(d, ⌊ran × β⌋) (regrowth must not aim back
 *                 at the loaded level)
 *   not loaded  → back to ran; a ceiling (if any) rises to ran + 1: the next level is tried, then tested
 * Breaker close (mechanics): restart at max(1, ⌊W × β⌋), one decrease below the level that worked.
 */
import { addCalls, dipLevel, DIP_CALLS, dipVerdict, E_STEEP, emptyLevel, freshLoadLatency, loaded, nextDipAfter, tidy, warmUp, type LoadLatency } from "./load-latency";
import { limitStrategy, type LimitAlgorithm, type LimitStep } from "./limit-strategy";
import { isBad, THRESHOLDS } from "./evidence";
import type { BatchReport, ControllerSettings, ControllerState } from "./types";

/** The limit a good wave that ran under `ran` with `peak` calls in flight earns (before the cap). */
export function regrow(ran: number, peak: number, state: ControllerState, plateauMs: number, now: number): number {
  if (peak * 2 < ran) return ran;
  const lastGood = state.lastGoodLimit - 1;
  if (ran < lastGood) return ran + Math.ceil((lastGood - ran) / 2);
  if (peak < ran) return ran;
  if (state.lastDecreaseAt !== null && now - state.lastDecreaseAt < plateauMs) return ran;
  return ran + Math.max(1, ran - lastGood);
}

/** Whether a wave no test fired on is also one to grow on (see the header's Hold). */
export function quiet(state: ControllerState, report: BatchReport, settings: ControllerSettings): boolean {
  const e = state.evidence;
  if (e && (e.struggle > THRESHOLDS.struggle / 2 || e.throttle > THRESHOLDS.throttle / 2 || e.errors > THRESHOLDS.errors / 2)) return false;
  const bad = report.samples.filter((s) => isBad(s, settings.latencyThresholdMs)).length;
  return !report.samples.some((s) => s.outcome === "throttled") && bad <= settings.errorRateThreshold * report.samples.length;
}

/** A wave no test fired on: a dip's verdict, the start of a dip, growth (under the ceiling a dip left), or a hold. */
function goodWave(state: ControllerState, report: BatchReport, settings: ControllerSettings, decreaseFactor: number, plateauMs: number, now: number): LimitStep {
  const ran = report.limit;
  const prior: LoadLatency = state.loadLatency ?? freshLoadLatency(ran);
  const current = addCalls(prior.current.limit === ran ? prior.current : emptyLevel(ran, prior.current.limit), report.samples);
  const inDip = prior.dipFrom !== undefined && ran === dipLevel(prior.dipFrom.limit) && ran < prior.dipFrom.limit;
  const ll: LoadLatency = { ...prior, current, ...(inDip ? {} : { dipFrom: undefined }) };

  if (inDip) {
    const from = prior.dipFrom!;
    const done = { ...ll, dipFrom: undefined, reference: current };
    if (from.n === 0) {
      // The warm-up: the low level is measured, the full one has not run yet.
      if (current.n < DIP_CALLS) return { limit: ran, move: "set", loadLatency: tidy(ll) };
      return { limit: from.limit, move: "set", loadLatency: tidy({ ...done, nextDipAt: nextDipAfter(now, from.limit, state.latencyMs) }) };
    }
    const verdict = dipVerdict(from, current);
    if (verdict === null) return { limit: ran, move: "set", loadLatency: tidy(ll) };
    if (verdict.loaded) {
      const limit = verdict.e >= E_STEEP ? ran : Math.max(ran, Math.floor(from.limit * decreaseFactor));
      return { limit, move: "decrease", lastGoodLimit: limit, loadLatency: tidy({ ...done, ceiling: limit, nextDipAt: 0 }) };
    }
    const ceiling = prior.ceiling === undefined ? undefined : Math.max(prior.ceiling, from.limit + 1);
    return { limit: from.limit, move: "set", loadLatency: tidy({ ...done, ceiling, nextDipAt: nextDipAfter(now, from.limit, state.latencyMs) }) };
  }

  const used = report.peakInFlight * 2 >= ran;
  const due = now >= prior.nextDipAt || (prior.reference !== undefined && loaded(current, prior.reference));
  if (ran >= 2 && used && current.n >= DIP_CALLS && due) return { limit: dipLevel(ran), move: "set", loadLatency: tidy({ ...ll, dipFrom: current }) };

  if (!quiet(state, report, settings)) return { limit: ran, loadLatency: tidy(ll) };
  const grown = regrow(ran, report.peakInFlight, state, plateauMs, now);
  return { limit: ll.ceiling === undefined ? grown : Math.min(grown, Math.max(ran, ll.ceiling)), loadLatency: tidy(ll) };
}

export const adaptiveAlgorithm: LimitAlgorithm = {
  name: "adaptive",
  initial(state) {
    const loadLatency = warmUp(state.limit);
    return { ...state, limit: loadLatency.current.limit, loadLatency };
  },
  next({ state, report, verdict, settings, config, now }) {
    if (config.strategy !== "adaptive") throw new RangeError(`adaptive given ${config.strategy} settings`);
    const ran = report.limit;
    if (verdict !== null) {
      const loadLatency = state.loadLatency ? tidy({ ...state.loadLatency, dipFrom: undefined }) : undefined;
      return { limit: Math.max(1, Math.floor(ran * config.decreaseFactor)), ...(loadLatency ? { loadLatency } : {}) };
    }
    return goodWave(state, report, settings, config.decreaseFactor, config.minUpdateIntervalSeconds * 1000, now);
  },
};

export const adaptiveStrategy = limitStrategy(adaptiveAlgorithm);
