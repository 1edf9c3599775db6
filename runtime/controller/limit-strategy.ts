/**
 * The mechanics every strategy but step runs on, so that two strategies
 * differ only in their limit algorithm: the evidence (evidence.ts), the
 * breaker, stale reports from parallel batches, and the mapping sized in time.
 *
 *   ran = report.limit (the fan-out the wave ran under), L* = state.limit (the limit now)
 *   stale ⇔ ran > L*: another batch already lowered the limit; the wave changes nothing
 *   Closed, weigh the wave's calls (first test to fire, see evidence):
 *     down                       → open the breaker, W = max(W, ran)        (the provider fails, whatever the limit)
 *     struggle ∧ ran = 1 = L*    → open the breaker                         (it struggles even at one call)
 *     otherwise                  → limit = the algorithm's next(ran, verdict), clamped to [1, maxFanOut];
 *                                  a result below ran is a decrease: W = ran, lastDecreaseAt = now;
 *                                  a result above is growth, applied as max(L*, result) so parallel batches
 *                                  that ran the same level grow it once
 *     a test that fired is acted on: after a decrease the load tests restart ("down" goes on counting
 *     until the breaker moves), without one only the test that fired does; a wave no test objected to
 *     teaches the baselines while the evidence is calm (evidence.ts)
 *   Half-open (the ventilator runs one call at a time), weigh the probes:
 *     down ∨ struggle            → re-open, the wait doubling (breaker.ts)
 *     otherwise each call that neither failed nor was throttled is a good probe (a slow answer is an answer);
 *     probesToClose good probes  → close at max(1, ⌊W × restartFactor⌋), the mapping sized for it
 *   Probe (schedule): the down and struggle statistics start at half their threshold, so a provider still
 *     down re-opens within a few probes and one unlucky probe of a healthy one does not.
 *   Mapping: settleMapping (mapping-update.ts) after every decision.
 */
import type { LimitControllerConfig } from "../catalog/schema";
import { closeBreaker, doublingWaitMs, openBreaker, probeIfDue } from "./breaker";
import { acted, actedOnLoad, calm, freshEvidence, isFailed, learn, THRESHOLDS, weigh, type Evidence, type Test } from "./evidence";
import { MAX_MAPPING_BATCH_SIZE, MIN_WAVES, settleMapping, updateLatency, wavesOf } from "./mapping-update";
import type { LoadLatency } from "./load-latency";
import type { PeerState } from "./peers/state";
import { clampLimit, initialState, keep, limitConfig } from "./state";
import { BREAKER, type BatchReport, type CallSample, type ControllerSettings, type ControllerState, type Decision, type Strategy } from "./types";

export type LimitStrategyName = LimitControllerConfig["strategy"];

export interface AlgorithmInput {
  state: ControllerState;
  report: BatchReport;
  /** The evidence test that fired on this wave (never "down": the breaker took that), or null. */
  verdict: Test | null;
  settings: ControllerSettings;
  config: LimitControllerConfig;
  now: number;
}

export interface LimitStep {
  /** The fan-out limit after the wave, before clamping to [1, maxFanOut]. */
  limit: number;
  /**
   * How to apply it. By default a limit below the wave's is a decrease (W = ran, evidence acted on)
   * and one above is growth (max with the current limit); "decrease" may name its own W;
   * "set" applies the limit as it is and touches nothing else (an experiment, or its end).
   */
  move?: "decrease" | "set";
  lastGoodLimit?: number;
  peer?: PeerState;
  loadLatency?: LoadLatency;
}

export interface LimitAlgorithm {
  readonly name: LimitStrategyName;
  /** The fan-out limit after a wave, and the algorithm's own state. */
  next(input: AlgorithmInput): LimitStep;
  /** The algorithm's own state when the breaker closes at `limit`. */
  restart?(peer: PeerState | undefined, limit: number): PeerState | undefined;
  /** The state a fresh pipeline starts in, from the common one (limit = lastGoodLimit = initialFanOut). */
  initial?(state: ControllerState): ControllerState;
}

/** What a restart after the breaker closes keeps of the last good level, for strategies without their own factor. */
export const DEFAULT_RESTART_FACTOR = 0.7;

function restartFactor(config: LimitControllerConfig): number {
  return config.strategy === "adaptive" ? config.decreaseFactor : DEFAULT_RESTART_FACTOR;
}

/** Limit the pipeline restarts at when the breaker closes. */
export function restartLimit(state: ControllerState, config: LimitControllerConfig, maxFanOut: number): number {
  return clampLimit(state.lastGoodLimit * restartFactor(config), maxFanOut);
}

/** Whether a running wave should close before its end: a test fires on the calls so far. */
export function waveShouldClose(state: ControllerState, samples: readonly CallSample[], settings: ControllerSettings): boolean {
  return weigh(state.evidence ?? freshEvidence(), samples, settings).fired !== null;
}

function goodProbes(samples: readonly CallSample[]): number {
  return samples.filter((s) => !isFailed(s) && s.outcome !== "throttled").length;
}

export function limitStrategy(algorithm: LimitAlgorithm): Strategy {
  const name = algorithm.name;

  function afterBatch(before: ControllerState, report: BatchReport, settings: ControllerSettings, now: number): Decision {
    const config = limitConfig(settings, name);
    if (report.samples.length === 0) return keep(before);
    const latencyMs = updateLatency(before.latencyMs, report.samples);
    const state: ControllerState = latencyMs === undefined ? before : { ...before, latencyMs };
    const max = settings.maxFanOut;
    const intervalMs = config.minUpdateIntervalSeconds * 1000;
    const wait = (trips: number) => doublingWaitMs(trips, config.breaker.baseIntervalMinutes, config.breaker.maxIntervalMinutes);
    const waves = wavesOf(latencyMs);
    const ran = report.limit;
    const prior: Evidence = state.evidence ?? freshEvidence();

    switch (state.breaker.status) {
      case BREAKER.OPEN:
        // Still running when the breaker opened: the mapping is disabled, nothing to decide.
        return keep(before);
      case BREAKER.HALF_OPEN: {
        if (ran > state.limit) return keep(state);
        const { evidence, fired } = weigh(prior, report.samples, settings);
        if (fired === "down" || fired === "struggle") return openBreaker({ ...state, evidence: acted(evidence) }, now, wait);
        const good = state.breaker.goodProbes + goodProbes(report.samples);
        if (good < config.breaker.probesToClose) return keep({ ...state, evidence, breaker: { ...state.breaker, goodProbes: good } });
        const restart = restartLimit(state, config, max);
        const peer = algorithm.restart?.(state.peer, restart) ?? state.peer;
        // A key holding undefined would not survive the JSON round trip the saved state takes.
        const closed = { ...state, evidence: acted(evidence), ...(peer ? { peer } : {}) };
        return closeBreaker(closed, now, restart, Math.min(MAX_MAPPING_BATCH_SIZE, (waves ?? MIN_WAVES) * restart));
      }
      case BREAKER.CLOSED: {
        if (ran > state.limit) return settleMapping(state, now, intervalMs, waves);
        const { evidence, fired } = weigh(prior, report.samples, settings);
        if (fired === "down") {
          return openBreaker({ ...state, evidence: acted(evidence), lastGoodLimit: clampLimit(Math.max(state.lastGoodLimit, ran), max) }, now, wait);
        }
        if (fired === "struggle" && ran <= 1 && state.limit <= 1) return openBreaker({ ...state, evidence: acted(evidence) }, now, wait);
        const step = algorithm.next({ state: { ...state, evidence }, report, verdict: fired, settings, config, now });
        const next = clampLimit(step.limit, max);
        // A test that fired without a decrease (nothing below 1) restarts alone: "struggle" must go on
        // counting the calls that say the provider struggles even at one.
        const judged = fired ? { ...evidence, [fired]: 0 } : calm(evidence) ? learn(evidence, report.samples, settings.latencyThresholdMs) : evidence;
        const base: ControllerState = {
          ...state,
          evidence: judged,
          ...(step.peer ? { peer: step.peer } : {}),
          ...(step.loadLatency ? { loadLatency: step.loadLatency } : {}),
        };
        if (step.move === "set") return settleMapping({ ...base, limit: next }, now, intervalMs, waves);
        if (step.move === "decrease" || next < ran) {
          const lastGoodLimit = clampLimit(step.lastGoodLimit ?? ran, max);
          const decreased = { ...base, limit: next, lastGoodLimit, lastDecreaseAt: now, evidence: actedOnLoad(judged, ran) };
          return settleMapping(decreased, now, intervalMs, waves);
        }
        return settleMapping({ ...base, limit: Math.max(state.limit, next) }, now, intervalMs, waves);
      }
    }
  }

  return {
    name,
    initial(settings: ControllerSettings): ControllerState {
      limitConfig(settings, name);
      const state = initialState(settings);
      return algorithm.initial?.(state) ?? state;
    },
    afterBatch,
    onSchedule(state: ControllerState, settings: ControllerSettings, now: number): Decision {
      limitConfig(settings, name);
      const decision = probeIfDue(state, now, state.mappingBatchSize);
      if (decision.action.type !== "probe") return decision;
      const evidence = { ...acted(state.evidence ?? freshEvidence()), down: THRESHOLDS.down / 2, struggle: THRESHOLDS.struggle / 2 };
      return { ...decision, state: { ...decision.state, evidence } };
    },
  };
}
