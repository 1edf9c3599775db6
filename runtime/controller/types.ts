/**
 * The controller's contract. A strategy is a pure function of (state, what
 * happened, provider settings, now): no I/O, no clock reads, no randomness.
 * State round-trips through the ledger as plain JSON.
 */
import type { Provider } from "../catalog/provider";
import type { Evidence } from "./evidence";
import type { LoadLatency } from "./load-latency";
import type { PeerState } from "./peers/state";

export const OUTCOMES = ["ok", "error", "throttled", "timeout"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One call to the provider's worker. */
export interface CallSample {
  latencyMs: number;
  outcome: Outcome;
}

/** What one batch did: the calls made (deduplicated or skipped records are not calls). */
export interface BatchReport {
  samples: readonly CallSample[];
  /** The in-flight limit the ventilator enforced for this batch. */
  limit: number;
  /** Most calls that were actually in flight at once; below limit/2 means the limit was not used. */
  peakInFlight: number;
}

export const BREAKER = { CLOSED: "closed", OPEN: "open", HALF_OPEN: "half-open" } as const;

export type BreakerState =
  | { status: typeof BREAKER.CLOSED }
  /** `trips` counts consecutive opens without a close: the half-open wait doubles with it. */
  | { status: typeof BREAKER.OPEN; openedAt: number; nextProbeAt: number; trips: number }
  | { status: typeof BREAKER.HALF_OPEN; since: number; goodProbes: number; trips: number };

export interface ControllerState {
  strategy: StrategyName;
  /** Fan-out limit for the next batch, in [1, maxFanOut]; the ventilator enforces it on its calls at once (the adaptive mapping follows lazily, in waves of it: see mapping-update). */
  limit: number;
  /** Mapping batch size (records per invocation) last asked of the event source mapping (step: the limit; adaptive: waves × limit, up to 10,000). */
  mappingBatchSize: number;
  /** Highest limit that gave a good batch before the last decrease: regrowth aims back at it. */
  lastGoodLimit: number;
  /** Epoch ms of the last multiplicative decrease (regrowth is timed from it), null if none. */
  lastDecreaseAt: number | null;
  /** Epoch ms of the last mapping update the controller asked for, null if none. */
  lastUpdateAt: number | null;
  /** Every strategy but step: the provider's latency (ms) the mapping is sized for, a moving average over reports; absent until the first. */
  latencyMs?: number;
  breaker: BreakerState;
  /** Every strategy but step: what the calls so far say about the provider (see evidence.ts); absent until the first report. */
  evidence?: Evidence;
  /** A peer algorithm's own state (see peers/); absent for adaptive and step. */
  peer?: PeerState;
  /** Adaptive: whether latency rises with the fan-out (see load-latency.ts); absent until the first report. */
  loadLatency?: LoadLatency;
}

export type ControllerAction =
  | { type: "keep" }
  /** Change the mapping's batch size. */
  | { type: "resize"; batchSize: number }
  /** Disable the mapping until `nextProbeAt`. */
  | { type: "open-breaker"; nextProbeAt: number }
  /** Enable the mapping at `batchSize` (step: 1, others: the batch size it had) for the half-open probe; the fan-out is 1. */
  | { type: "probe"; batchSize: number }
  /** Enough good probes: the breaker closes and the mapping runs at `batchSize`. */
  | { type: "close"; batchSize: number };

export interface Decision {
  state: ControllerState;
  action: ControllerAction;
}

/** The provider settings a controller reads. */
export type ControllerSettings = Pick<Provider, "maxFanOut" | "initialFanOut" | "latencyThresholdMs" | "errorRateThreshold" | "controller">;

export type StrategyName = Provider["controller"]["strategy"];
export const STRATEGY_NAMES = ["step", "adaptive", "aimd", "vegas", "gradient2"] as const satisfies readonly StrategyName[];

export interface Strategy {
  readonly name: StrategyName;
  initial(settings: ControllerSettings, now: number): ControllerState;
  /** After every batch that made at least one call. */
  afterBatch(state: ControllerState, report: BatchReport, settings: ControllerSettings, now: number): Decision;
  /** On the re-arm schedule: a due probe becomes `probe`, everything else `keep`. */
  onSchedule(state: ControllerState, settings: ControllerSettings, now: number): Decision;
}
