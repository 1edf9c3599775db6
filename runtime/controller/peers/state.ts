/** What each peer algorithm keeps between waves (JSON, in the controller state). */
import type { PeerWindow } from "./window";

export interface AimdState {
  kind: "aimd";
  window: PeerWindow;
}

export interface VegasState {
  kind: "vegas";
  /** The limit as a real number (Vegas smooths and steps by fractions). */
  estimate: number;
  /** The no-load latency (ms): the smallest window latency since the last probe; 0 before the first. */
  rttNoLoad: number;
  /** Windows since the last no-load probe, and the jitter of the next one (in [0.5, 1)). */
  probeCount: number;
  probeJitter: number;
  window: PeerWindow;
}

export interface Gradient2State {
  kind: "gradient2";
  estimate: number;
  /** Long-term latency (ms): an average over the first LONG_WARMUP windows, then an EMA over LONG_WINDOW. */
  longRtt: number;
  longCount: number;
  window: PeerWindow;
}

export type PeerState = AimdState | VegasState | Gradient2State;
