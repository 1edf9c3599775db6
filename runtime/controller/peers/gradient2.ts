/**
 * Netflix concurrency-limits' Gradient2Limit (with rttTolerance), on sluice's
 * mechanics (limit-strategy.ts), fed one sample per window of WINDOW_SIZE calls
 * (window.ts). E = the estimate (a real number), shortRtt = the window's mean latency.
 *
 *   longRtt ← mean of the first LONG_WARMUP samples, then longRtt + (2 / (LONG_WINDOW + 1)) × (shortRtt − longRtt)
 *   longRtt / shortRtt > 2  → longRtt × 0.95                    (recovering from a long overload)
 *   inflight < E / 2        → E unchanged                        (not using the limit)
 *   gradient = max(0.5, min(1, tolerance × longRtt / shortRtt)),  tolerance = 1.5
 *   E ← E × (1 − smoothing) + (E × gradient + queueSize) × smoothing,  smoothing = 0.2, queueSize = 4
 *   E clamped to [1, maxFanOut]; the limit is ⌊E⌋.
 *
 * Drops are not part of Gradient2's rule: an outage still opens the breaker (mechanics).
 */
import type { LimitAlgorithm } from "../limit-strategy";
import type { Gradient2State, PeerState } from "./state";
import { addToWindow, emptyWindow, meanRtt } from "./window";

export const LONG_WINDOW = 600;
export const LONG_WARMUP = 10;
export const RTT_TOLERANCE = 1.5;
export const SMOOTHING = 0.2;
export const QUEUE_SIZE = 4;

function fresh(limit: number): Gradient2State {
  return { kind: "gradient2", estimate: limit, longRtt: 0, longCount: 0, window: emptyWindow() };
}

export const gradient2Algorithm: LimitAlgorithm = {
  name: "gradient2",
  next({ state, report, settings }) {
    const prior = state.peer?.kind === "gradient2" ? state.peer : fresh(report.limit);
    const { window, ready } = addToWindow(prior.window, report.samples, report.peakInFlight);
    if (!ready) return { limit: Math.floor(prior.estimate), peer: { ...prior, window } };
    const shortRtt = Math.max(1e-3, meanRtt(window));
    const longCount = prior.longCount + 1;
    let longRtt = prior.longCount < LONG_WARMUP ? (prior.longRtt * prior.longCount + shortRtt) / longCount : prior.longRtt + (2 / (LONG_WINDOW + 1)) * (shortRtt - prior.longRtt);
    if (longRtt / shortRtt > 2) longRtt *= 0.95;
    const next: Gradient2State = { kind: "gradient2", estimate: prior.estimate, longRtt, longCount, window: emptyWindow() };
    if (window.maxInFlight < prior.estimate / 2) return { limit: Math.floor(prior.estimate), peer: next };
    const gradient = Math.max(0.5, Math.min(1, (RTT_TOLERANCE * longRtt) / shortRtt));
    const target = prior.estimate * gradient + QUEUE_SIZE;
    const estimate = Math.max(1, Math.min(settings.maxFanOut, prior.estimate * (1 - SMOOTHING) + target * SMOOTHING));
    return { limit: Math.floor(estimate), peer: { ...next, estimate } };
  },
  restart(peer: PeerState | undefined, limit: number) {
    return peer?.kind === "gradient2" ? { ...peer, estimate: limit, window: emptyWindow() } : fresh(limit);
  },
};
