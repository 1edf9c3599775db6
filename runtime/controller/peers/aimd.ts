/**
 * Netflix concurrency-limits' AIMDLimit, on sluice's mechanics (limit-strategy.ts),
 * fed one sample per window of WINDOW_SIZE calls (window.ts). L = the limit the wave ran under.
 *
 *   didDrop ∨ rtt > timeout → L = max(1, min(L − 1, ⌊L × backoffRatio⌋))     backoffRatio = 0.9
 *   inflight × 2 ≥ L        → L + 1
 *   otherwise               → L                                               (not using the limit)
 *
 * rtt = the window's mean latency; timeout = latencyThresholdMs (Netflix's default is 5 s).
 */
import type { LimitAlgorithm } from "../limit-strategy";
import type { AimdState } from "./state";
import { addToWindow, emptyWindow, meanRtt } from "./window";

export const AIMD_BACKOFF_RATIO = 0.9;

export const aimdAlgorithm: LimitAlgorithm = {
  name: "aimd",
  next({ state, report, settings }) {
    const prior: AimdState = state.peer?.kind === "aimd" ? state.peer : { kind: "aimd", window: emptyWindow() };
    const L = report.limit;
    const { window, ready } = addToWindow(prior.window, report.samples, report.peakInFlight);
    if (!ready) return { limit: L, peer: { ...prior, window } };
    const peer: AimdState = { kind: "aimd", window: emptyWindow() };
    if (window.didDrop || meanRtt(window) > settings.latencyThresholdMs) return { limit: Math.max(1, Math.min(L - 1, Math.floor(L * AIMD_BACKOFF_RATIO))), peer };
    if (window.maxInFlight * 2 >= L) return { limit: L + 1, peer };
    return { limit: L, peer };
  },
};
