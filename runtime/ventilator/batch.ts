/**
 * The ventilator's batch lifecycle, in five steps (steps/):
 *   prepare     decode, read the pipeline's state, ask the gate, find the work
 *   call        claim, budget, call and record each record, the fan-out adapting wave by wave
 *   decide      controller → saved state → mapping
 *   hand back   hold the pipeline if the gate closed; give up what the stream is about
 *               to drop; hand the rest back (ReportBatchItemFailures), after a pause if
 *               nothing was called
 *   report      the day's counters and one log/EMF line
 *
 * The guarantees it keeps are stated in docs/runtime.md with the failures they survive;
 * each step's header gives its share.
 */
import { summarize } from "../controller/batch-stats";
import { DailyBudget } from "./daily-budget";
import type { Gate } from "./gate";
import type { KinesisBatchEvent } from "./records";
import { callAll } from "./steps/call";
import { CallSession } from "./steps/call-session";
import { decide } from "./steps/decide";
import type { BatchResponse, InvocationContext, VentilatorDeps } from "./steps/deps";
import { handBackAll, handBackWaiting, hold } from "./steps/hand-back";
import { prepare } from "./steps/prepare";
import { batchLine, dayCounts } from "./steps/report";
import { Waves } from "./waves";

export { FINISH_MARGIN_MS, INVOKE_MARGIN_MS } from "../catalog/timing";
export { GATE_RECHECK_MS, windowOrDayEnd } from "./steps/call-session";
export type { BatchResponse, InvocationContext, VentilatorDeps } from "./steps/deps";
export { HAND_BACK_PAUSE_MS } from "./steps/hand-back";
export { malformedKey } from "./steps/prepare";

export async function processBatch(event: KinesisBatchEvent, context: InvocationContext, deps: VentilatorDeps): Promise<BatchResponse> {
  const { provider, clock } = deps;
  const ledger = deps.openLedger();
  const now = clock.now();

  const prepared = await prepare(event, deps, ledger, now);
  if (!prepared.open) return handBackAll(prepared.decoded, prepared.gate, prepared.pipeline, deps, ledger, context, now);
  const { candidates, skipped } = prepared.work;

  // A batch carries records already done (re-sent after a failed one) and records it may never start: the
  // daily budget is reserved a wave at a time as calls are about to start, not for the whole batch up front.
  const budget = new DailyBudget(ledger, prepared.day, provider.dailyRequestLimit);
  const waves = new Waves(provider, prepared.pipeline.controller);
  const limitUsed = waves.limit();
  const session = new CallSession(deps, ledger, context, budget, waves, prepared.gate.closesAt, now);
  const { results, notStarted, peakInFlight } = await callAll(session, candidates);
  await budget.refundUnused();

  const decided = await decide(deps, ledger, prepared.pipeline, waves.finish(clock.now()), budget.exhausted, now);

  const stop: Exclude<Gate, { open: true }> | null = session.authFailure !== null ? { open: false, reason: "auth", until: null } : session.held;
  if (stop) await hold(stop, decided.pipeline, deps, ledger, clock.now(), session.authFailure ?? undefined);
  const counts = dayCounts(candidates, results, prepared.malformed);
  if (counts.done + counts.failed + counts.dead > 0) await ledger.addDayCounts(prepared.day, counts).catch(() => undefined);
  const { handBack, expired } = await handBackWaiting(session, candidates, results, notStarted, stop);

  const figures = {
    records: event.Records.length,
    day: prepared.day,
    stats: summarize(session.samples, provider.latencyThresholdMs),
    limitUsed,
    limitLowest: waves.lowestLimit(),
    peakInFlight,
    dead: counts.dead + expired.size,
    deduplicated: results.filter((f) => f?.fate === "skipped").length + skipped,
    handedBack: handBack.length,
    notStartedForTime: notStarted.length,
    dailyLimitReached: budget.exhausted,
    malformed: prepared.malformed,
    authFailure: session.authFailure,
    stalled: session.stalled,
  };
  deps.log(batchLine(deps, now, figures, decided));
  return { batchItemFailures: handBack.map((itemIdentifier) => ({ itemIdentifier })) };
}
