/**
 * The sample window Netflix's limits are fed through (WindowedLimit with an
 * average sample window): calls are pooled until the window holds at least
 * WINDOW_SIZE of them, then the limit sees one sample:
 *   rtt = mean latency of the window's calls, inflight = the most in flight,
 *   didDrop = any call of the window dropped.
 * A drop is what a client limiter is told about: a throttle (429), a timeout,
 * or an error (the simulator's and most providers' 5xx are "unavailable"),
 * plus, for AIMD, a call slower than its timeout (here latencyThresholdMs).
 */
import type { CallSample } from "../types";

export const WINDOW_SIZE = 10;

export interface PeerWindow {
  n: number;
  sumRtt: number;
  minRtt: number;
  maxInFlight: number;
  didDrop: boolean;
}

export function emptyWindow(): PeerWindow {
  return { n: 0, sumRtt: 0, minRtt: Number.MAX_VALUE, maxInFlight: 0, didDrop: false };
}

export function isDrop(s: CallSample): boolean {
  return s.outcome !== "ok";
}

/** Adds a wave's calls; `ready` once the window holds WINDOW_SIZE calls (then start a new one). */
export function addToWindow(w: PeerWindow, samples: readonly CallSample[], peakInFlight: number): { window: PeerWindow; ready: boolean } {
  let { n, sumRtt, minRtt, didDrop } = w;
  for (const s of samples) {
    n++;
    sumRtt += s.latencyMs;
    minRtt = Math.min(minRtt, s.latencyMs);
    didDrop ||= isDrop(s);
  }
  const window = { n, sumRtt, minRtt, maxInFlight: Math.max(w.maxInFlight, peakInFlight), didDrop };
  return { window, ready: n >= WINDOW_SIZE };
}

export function meanRtt(w: PeerWindow): number {
  return w.n === 0 ? 0 : w.sumRtt / w.n;
}
