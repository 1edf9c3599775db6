/**
 * Netflix concurrency-limits' VegasLimit, on sluice's mechanics (limit-strategy.ts),
 * fed one sample per window of WINDOW_SIZE calls (window.ts). E = the estimate, rtt =
 * the window's mean latency, log(E) = max(1, ⌊log10 E⌋) (Log10RootFunction).
 *
 *   every jitter × PROBE_MULTIPLIER × E samples (jitter in [0.5, 1)): rttNoLoad ← rtt, E unchanged (probe)
 *   rttNoLoad = 0 ∨ rtt < rttNoLoad → rttNoLoad ← rtt, E unchanged
 *   queue = ⌈E × (1 − rttNoLoad / rtt)⌉
 *   didDrop                 → E − log(E)
 *   inflight × 2 < E        → E unchanged
 *   queue ≤ log(E)          → E + 6 log(E)        (beta: no queueing, grow fast)
 *   queue < 3 log(E)        → E + log(E)          (alpha)
 *   queue > 6 log(E)        → E − log(E)
 *   otherwise               → E unchanged
 *   E clamped to [1, maxFanOut]; smoothing 1 (none); the limit is ⌊E⌋.
 *
 * The strategy contract forbids randomness: the probe jitter follows a fixed
 * sequence kept in the state (a linear congruential step), deterministic per run.
 */
import type { LimitAlgorithm } from "../limit-strategy";
import type { PeerState, VegasState } from "./state";
import { addToWindow, emptyWindow, meanRtt } from "./window";

export const PROBE_MULTIPLIER = 30;

export function log10Root(limit: number): number {
  return limit < 1000 ? Math.max(1, Math.floor(Math.log10(Math.max(1, Math.floor(limit))))) : Math.floor(Math.sqrt(limit));
}

/** The next jitter in [0.5, 1) after `jitter`. */
export function nextJitter(jitter: number): number {
  const seed = Math.floor((jitter - 0.5) * 2 * 233_280);
  return 0.5 + (((seed * 9_301 + 49_297) % 233_280) / 233_280) * 0.5;
}

function fresh(limit: number): VegasState {
  return { kind: "vegas", estimate: limit, rttNoLoad: 0, probeCount: 0, probeJitter: 0.75, window: emptyWindow() };
}

export const vegasAlgorithm: LimitAlgorithm = {
  name: "vegas",
  next({ state, report, settings }) {
    const prior = state.peer?.kind === "vegas" ? state.peer : fresh(report.limit);
    const { window, ready } = addToWindow(prior.window, report.samples, report.peakInFlight);
    if (!ready) return { limit: Math.floor(prior.estimate), peer: { ...prior, window } };
    const rtt = Math.max(1e-3, meanRtt(window));
    const base: VegasState = { ...prior, window: emptyWindow(), probeCount: prior.probeCount + 1 };
    const E = prior.estimate;
    if (prior.probeJitter * PROBE_MULTIPLIER * E <= base.probeCount) {
      return { limit: Math.floor(E), peer: { ...base, rttNoLoad: rtt, probeCount: 0, probeJitter: nextJitter(prior.probeJitter) } };
    }
    if (prior.rttNoLoad === 0 || rtt < prior.rttNoLoad) return { limit: Math.floor(E), peer: { ...base, rttNoLoad: rtt } };
    const queue = Math.ceil(E * (1 - prior.rttNoLoad / rtt));
    const log = log10Root(E);
    let next = E;
    if (window.didDrop) next = E - log;
    else if (window.maxInFlight * 2 < E) return { limit: Math.floor(E), peer: base };
    else if (queue <= log) next = E + 6 * log;
    else if (queue < 3 * log) next = E + log;
    else if (queue > 6 * log) next = E - log;
    const estimate = Math.max(1, Math.min(settings.maxFanOut, next));
    return { limit: Math.floor(estimate), peer: { ...base, estimate } };
  },
  restart(peer: PeerState | undefined, limit: number) {
    return peer?.kind === "vegas" ? { ...peer, estimate: limit, window: emptyWindow() } : fresh(limit);
  },
};
