/**
 * Step 5 of a batch: what it moved on today (the day's counters) and one
 * log line carrying its EMF metrics (telemetry.ts), for a batch that ran and
 * for one handed back whole.
 */
import type { BatchStats } from "../../controller/batch-stats";
import { BREAKER, type ControllerState } from "../../controller/types";
import type { DayCounts } from "../../ledger/types";
import type { Candidate } from "../candidates";
import type { Gate } from "../gate";
import type { Pipeline } from "../pipeline-state";
import { emfLine } from "../telemetry";
import type { Decided } from "./decide";
import type { VentilatorDeps } from "./deps";
import type { Fate } from "./outcome";

/** What this batch moved on today: done, failed with attempts left, dead; and how much of it was ad hoc. */
export function dayCounts(candidates: readonly Candidate[], results: readonly (Fate | undefined)[], malformed: number): Required<DayCounts> {
  const counts = { done: 0, failed: 0, dead: malformed, adHocDone: 0, adHocFailed: 0, adHocDead: 0 };
  results.forEach((f, i) => {
    const kind = f?.fate === "done" ? "done" : f?.fate === "dead" ? "dead" : f?.fate === "retry" && f.called ? "failed" : null;
    if (!kind) return;
    counts[kind]++;
    if (candidates[i]!.record.adHoc) counts[kind === "done" ? "adHocDone" : kind === "dead" ? "adHocDead" : "adHocFailed"]++;
  });
  return counts;
}

const breakerOpen = (controller: ControllerState): 0 | 1 => (controller.breaker.status === BREAKER.OPEN ? 1 : 0);

export interface BatchFigures {
  records: number;
  day: string;
  stats: BatchStats;
  limitUsed: number;
  limitLowest: number;
  peakInFlight: number;
  dead: number;
  deduplicated: number;
  handedBack: number;
  notStartedForTime: number;
  dailyLimitReached: boolean;
  malformed: number;
  authFailure: string | null;
  stalled: string | null;
}

export function batchLine(deps: VentilatorDeps, now: number, f: BatchFigures, decided: Decided): Record<string, unknown> {
  return emfLine(
    deps.metricsNamespace,
    deps.provider.id,
    now,
    {
      BatchSize: f.records,
      Limit: decided.controller.limit,
      InFlight: f.peakInFlight,
      Ok: f.stats.ok,
      Error: f.stats.error,
      Throttled: f.stats.throttled,
      Timeout: f.stats.timeout,
      Dead: f.dead,
      Deduplicated: f.deduplicated,
      HandedBack: f.handedBack,
      LatencyP50: f.stats.p50,
      LatencyP95: f.stats.p95,
      BreakerOpen: breakerOpen(decided.controller),
      AuthFailed: f.authFailure !== null ? 1 : 0,
    },
    {
      message: "batch",
      day: f.day,
      limitUsed: f.limitUsed,
      limitLowest: f.limitLowest,
      slow: f.stats.slow,
      breaker: decided.controller.breaker.status,
      action: decided.action,
      mappingApplied: decided.applied,
      notStartedForTime: f.notStartedForTime,
      dailyLimitReached: f.dailyLimitReached,
      malformed: f.malformed,
      pause: decided.pause?.reason ?? null,
      ...(f.authFailure !== null ? { authFailure: f.authFailure } : {}),
      ...(f.stalled !== null ? { workerUnavailable: f.stalled } : {}),
    },
  );
}

export function handBackLine(
  deps: VentilatorDeps,
  now: number,
  f: { decoded: number; handedBack: number; expired: number },
  g: Exclude<Gate, { open: true }>,
  pipeline: Pipeline,
  mappingDisabled: boolean | null,
): Record<string, unknown> {
  return emfLine(
    deps.metricsNamespace,
    deps.provider.id,
    now,
    { BatchSize: f.decoded, Limit: pipeline.controller.limit, InFlight: 0, HandedBack: f.handedBack, Dead: f.expired, BreakerOpen: breakerOpen(pipeline.controller) },
    { message: "batch handed back", reason: g.reason, until: g.until, mappingDisabled, expiredDead: f.expired },
  );
}
