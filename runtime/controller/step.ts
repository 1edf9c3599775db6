/**
 * The original demo's rule, kept as the baseline to beat. It ignores
 * errorRateThreshold (the demo used a fixed 50 %) and has no hysteresis: every
 * change of the limit is a mapping update.
 *
 *   slow = calls slower than latencyThresholdMs, failed = calls not ok (a slow failure is both, and counts
 *   twice, as the demo's slowCount + errorCount does)
 *   bad batch  ⇔ (slow + failed) / total > 0.5
 *   good batch ⇔ slow = 0 ∧ failed = 0
 *   closed:    bad ∧ limit > 1 → limit − 1;  bad ∧ limit = 1 → open (disable the mapping)
 *              good → min(limit + 1, maxFanOut);  otherwise keep
 *   schedule:  open → probe at batch size 1 at the next re-arm tick (the demo re-enables on every tick
 *              while the batch size is below its maximum)
 *   half-open: good → close at min(2, maxFanOut) (the demo's +1);  bad → re-open until the next tick;
 *              otherwise stay at 1 (what the demo did with a mixed batch at size 1)
 */
import { summarize } from "./batch-stats";
import { closeBreaker, openBreaker, probeIfDue } from "./breaker";
import { followLimit } from "./mapping-update";
import { clampLimit, initialState, keep, stepConfig } from "./state";
import { BREAKER, type BatchReport, type ControllerSettings, type ControllerState, type Decision, type Strategy } from "./types";

const DEMO_BAD_SHARE = 0.5;

export const STEP_VERDICT = { BAD: "bad", GOOD: "good", MIXED: "mixed" } as const;
export type StepVerdict = (typeof STEP_VERDICT)[keyof typeof STEP_VERDICT];

export function stepVerdict(report: BatchReport, latencyThresholdMs: number): StepVerdict {
  const stats = summarize(report.samples, latencyThresholdMs);
  const failed = stats.total - stats.ok;
  if (stats.total > 0 && (stats.slow + failed) / stats.total > DEMO_BAD_SHARE) return STEP_VERDICT.BAD;
  return stats.slow === 0 && failed === 0 ? STEP_VERDICT.GOOD : STEP_VERDICT.MIXED;
}

/** The demo re-enables the mapping on the next schedule tick, whenever it comes. */
const untilNextTick = (): number => 0;

function afterBatch(state: ControllerState, report: BatchReport, settings: ControllerSettings, now: number): Decision {
  stepConfig(settings);
  if (report.samples.length === 0) return keep(state);
  const verdict = stepVerdict(report, settings.latencyThresholdMs);
  const max = settings.maxFanOut;

  switch (state.breaker.status) {
    case BREAKER.OPEN:
      // A batch that was already running when the breaker opened: the mapping is disabled, nothing to decide.
      return keep(state);
    case BREAKER.HALF_OPEN:
      if (verdict === STEP_VERDICT.BAD) return openBreaker(state, now, untilNextTick);
      if (verdict === STEP_VERDICT.GOOD) return closeBreaker(state, now, clampLimit(state.limit + 1, max));
      return keep(state);
    case BREAKER.CLOSED:
      if (verdict === STEP_VERDICT.BAD) {
        if (state.limit <= 1) return openBreaker(state, now, untilNextTick);
        return followLimit({ ...state, limit: state.limit - 1, lastGoodLimit: state.limit, lastDecreaseAt: now }, now);
      }
      if (verdict === STEP_VERDICT.GOOD) return followLimit({ ...state, limit: clampLimit(state.limit + 1, max) }, now);
      return followLimit(state, now);
  }
}

export const stepStrategy: Strategy = {
  name: "step",
  initial(settings: ControllerSettings): ControllerState {
    stepConfig(settings);
    return initialState(settings);
  },
  afterBatch,
  onSchedule(state: ControllerState, settings: ControllerSettings, now: number): Decision {
    stepConfig(settings);
    return probeIfDue(state, now);
  },
};
