/**
 * The figures one run is judged by (docs/benchmarks.md defines each):
 *
 *   goodput        = successful calls ÷ the oracle's possible successful calls over the time the
 *                    run had unfinished records and was allowed to call (not paused on its
 *                    spent daily budget)
 *   waste          = calls started while the provider was down or had more than its true
 *                    capacity in flight (this call included)
 *   detectS        = mean over the scenario's outages of the time from the outage's start
 *                    to the first saved controller state with the breaker open or the limit
 *                    at 1 (0 if it already was; the outage's length if it never got there)
 *   recoverS       = from the last heal (outage end, capacity rise, window reopening, the
 *                    provider day after the run spent its daily budget), the start of the first 60 s window (stepping 10 s)
 *                    whose successes reach 90 % of the oracle's; the time to the run's end
 *                    if none does
 *   updatesPerHour = UpdateEventSourceMapping requests (accepted or refused) per hour of run
 *   duplicates     = records fetched successfully more than once
 *   lost           = records neither done nor dead in the ledger at the end (dropped ones included)
 *   maxRecordAgeS  = largest (done-or-dead instant − enqueue instant) over finished records
 *   breakerOpens   = times the breaker opened (from closed or half-open)
 *   falseOpens     = opens with no call started while the provider was down or over its true capacity
 *                    ending in the 15 minutes before (FALSE_OPEN_LOOKBACK_MS)
 * Not applicable → null (detectS without outages, recoverS without a heal).
 */
import { BREAKER } from "../runtime/controller/types";
import type { Oracle } from "./oracle";
import type { Recorder } from "./recorder";

export const METRIC_KEYS = ["scenario", "controller", "goodput", "waste", "detectS", "recoverS", "updatesPerHour", "duplicates", "lost", "maxRecordAgeS", "breakerOpens", "falseOpens"] as const;

export interface Metrics {
  scenario: string;
  controller: string;
  goodput: number | null;
  waste: number | null;
  detectS: number | null;
  recoverS: number | null;
  updatesPerHour: number | null;
  duplicates: number | null;
  lost: number | null;
  maxRecordAgeS: number | null;
  breakerOpens: number | null;
  falseOpens: number | null;
}

export const RECOVERY_WINDOW_MS = 60_000;
export const RECOVERY_STEP_MS = 10_000;
export const RECOVERY_SHARE = 0.9;

export interface RunFacts {
  scenario: string;
  controller: string;
  start: number;
  end: number;
  recorder: Recorder;
  /** Enqueue instant of every record, by id. */
  enqueuedAt: ReadonlyMap<string, number>;
  /** Outages as [from, to) epoch ms. */
  outages: readonly { from: number; to: number }[];
  /** Instants after which the provider is healthy again (outage end, capacity rise, window reopening, budget back). */
  heals: readonly number[];
  /** Spans the run was paused on its spent daily budget (until the provider day ended): calls were not allowed. */
  budgetSpent?: readonly { from: number; to: number }[];
  mappingRequests: number;
  duplicates: number;
}

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Count of sorted `times` in [a, b). */
export function countBetween(times: readonly number[], a: number, b: number): number {
  return lowerBound(times, b) - lowerBound(times, a);
}

function lowerBound(times: readonly number[], x: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Spans [a, b) during which the run had enqueued records that were not finished yet. */
export function busySpans(facts: RunFacts): { start: number; end: number }[] {
  const deltas: [number, number][] = [];
  for (const [id, at] of facts.enqueuedAt) {
    deltas.push([at, 1]);
    const f = facts.recorder.finished.get(id);
    if (f) deltas.push([f.at, -1]);
  }
  deltas.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const spans: { start: number; end: number }[] = [];
  let open = 0;
  let since = 0;
  for (const [at, d] of deltas) {
    if (at > facts.end) break;
    if (open === 0 && d > 0) since = at;
    open += d;
    if (open === 0) spans.push({ start: since, end: at });
  }
  if (open > 0) spans.push({ start: since, end: facts.end });
  return spans;
}

export function goodput(facts: RunFacts, oracle: Oracle): number | null {
  let possible = 0;
  for (const s of busySpans(facts)) {
    possible += oracle.successesBetween(s.start, s.end);
    for (const p of facts.budgetSpent ?? []) {
      const from = Math.max(s.start, p.from);
      const to = Math.min(s.end, p.to);
      if (to > from) possible -= oracle.successesBetween(from, to);
    }
  }
  return possible > 0 ? countBetween(facts.recorder.successTimes, facts.start, facts.end + 1) / possible : null;
}

export function detectSeconds(facts: RunFacts): number | null {
  const outages = facts.outages.filter((o) => o.from < facts.end);
  if (outages.length === 0) return null;
  const points = facts.recorder.controller;
  const detected = (p: { breaker: string; limit: number }) => p.breaker === BREAKER.OPEN || p.limit <= 1;
  const times = outages.map((o) => {
    const before = points.filter((p) => p.at <= o.from).at(-1);
    if (before && detected(before)) return 0;
    const hit = points.find((p) => p.at > o.from && p.at < o.to && detected(p));
    return ((hit ? hit.at : Math.min(o.to, facts.end)) - o.from) / 1000;
  });
  return times.reduce((a, b) => a + b, 0) / times.length;
}

export function recoverSeconds(facts: RunFacts, oracle: Oracle): number | null {
  const heals = [...facts.heals, ...(facts.budgetSpent ?? []).map((p) => p.to)].filter((h) => h > facts.start && h < facts.end);
  if (heals.length === 0) return null;
  const heal = Math.max(...heals);
  for (let t = heal; t + RECOVERY_WINDOW_MS <= facts.end; t += RECOVERY_STEP_MS) {
    const possible = oracle.successesBetween(t, t + RECOVERY_WINDOW_MS);
    if (possible <= 0) continue;
    if (countBetween(facts.recorder.successTimes, t, t + RECOVERY_WINDOW_MS) >= RECOVERY_SHARE * possible) return (t - heal) / 1000;
  }
  return (facts.end - heal) / 1000;
}

export function computeMetrics(facts: RunFacts, oracle: Oracle): Metrics {
  const hours = (facts.end - facts.start) / 3_600_000;
  let maxAge = 0;
  for (const [id, f] of facts.recorder.finished) maxAge = Math.max(maxAge, f.at - (facts.enqueuedAt.get(id) ?? f.at));
  const finished = [...facts.enqueuedAt.keys()].filter((id) => facts.recorder.finished.has(id)).length;
  const g = goodput(facts, oracle);
  const detect = detectSeconds(facts);
  const recover = recoverSeconds(facts, oracle);
  return {
    scenario: facts.scenario,
    controller: facts.controller,
    goodput: g === null ? null : round(g, 3),
    waste: facts.recorder.totals.wasted,
    detectS: detect === null ? null : round(detect, 1),
    recoverS: recover === null ? null : round(recover, 1),
    updatesPerHour: hours > 0 ? round(facts.mappingRequests / hours, 1) : null,
    duplicates: facts.duplicates,
    lost: facts.enqueuedAt.size - finished,
    maxRecordAgeS: facts.recorder.finished.size > 0 ? round(maxAge / 1000, 1) : null,
    breakerOpens: facts.recorder.opens.length,
    falseOpens: facts.recorder.opens.filter((o) => o.healthy).length,
  };
}
