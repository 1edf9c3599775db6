/**
 * A tiny synthetic provider for behaviour tests: a backlog that never runs
 * dry, batches of the mapping's size, a fan-out of min(limit, batch size), and
 * a capacity that can change over time. Calls beyond the capacity are
 * throttled and every call of an overloaded batch is slow (the provider queues).
 */
import type { BatchReport, CallSample, ControllerSettings, ControllerState, Strategy } from "../../runtime/controller/types";
import { BREAKER } from "../../runtime/controller/types";

export interface Phase {
  batches: number;
  capacity: number;
}

/** One batch slot: what the controller decided after it ("idle" while the breaker is open). */
export interface Step {
  at: number;
  state: ControllerState;
  action: string;
  /** Calls really in flight in this batch: min(limit, mapping batch size). */
  fanOut: number;
}

export function overloadReport(fanOut: number, limit: number, capacity: number, latencyThresholdMs: number): BatchReport {
  const overloaded = fanOut > capacity;
  const samples: CallSample[] = Array.from({ length: fanOut }, (_, i) => ({
    latencyMs: overloaded ? latencyThresholdMs * 2 : latencyThresholdMs / 10,
    outcome: i < capacity ? "ok" : "throttled",
  }));
  return { samples, limit, peakInFlight: fanOut };
}

/** Runs the phases, one batch slot every `batchMs`; the re-arm schedule fires every `scheduleMs` in between. */
export function run(strategy: Strategy, settings: ControllerSettings, phases: readonly Phase[], batchMs: number, scheduleMs = 60_000): Step[] {
  let now = 0;
  let state = strategy.initial(settings, now);
  let nextSchedule = scheduleMs;
  const steps: Step[] = [];
  for (const phase of phases) {
    for (let i = 0; i < phase.batches; i++) {
      now += batchMs;
      while (nextSchedule <= now) {
        state = strategy.onSchedule(state, settings, nextSchedule).state;
        nextSchedule += scheduleMs;
      }
      if (state.breaker.status === BREAKER.OPEN) {
        steps.push({ at: now, state, action: "idle", fanOut: 0 });
        continue;
      }
      const limit = state.limit;
      const fanOut = Math.min(limit, state.mappingBatchSize);
      const d = strategy.afterBatch(state, overloadReport(fanOut, limit, phase.capacity, settings.latencyThresholdMs), settings, now);
      state = d.state;
      steps.push({ at: now, state, action: d.action.type, fanOut });
    }
  }
  return steps;
}
