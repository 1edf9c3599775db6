/**
 * The simulation report (`sluice simulate --report`): one self-contained HTML
 * file of simulated runs. Per run, its metrics, the seed article's chart
 * (batch size over time, here with the controller's limit, the calls really in
 * flight and the provider's true capacity), latency percentiles and outcomes
 * per minute, drawn with the report kit (report/) local mode's report uses too.
 */
import { BREAKER } from "../runtime/controller/types";
import { nearestRank } from "../runtime/controller/batch-stats";
import { METRIC_KEYS } from "./metrics";
import { openSpans } from "./oracle";
import { BUCKET_MS } from "./recorder";
import type { RunResult } from "./run";
import { escapeXml, factTable, htmlPage } from "../report/html-page";
import { ELAPSED_HOURS, timeChart, type Band } from "../report/svg-chart";

const COLORS = { batch: "#7b61ff", limit: "#1f77b4", inFlight: "#2ca02c", capacity: "#d62728", p50: "#1f77b4", p95: "#ff7f0e", outage: "#d62728", closed: "#787878", breaker: "#ff7f0e" };
const OUTCOME_COLORS = { ok: "#2ca02c", error: "#d62728", throttled: "#ff7f0e", timeout: "#8c564b" } as const;
const MINUTE_MS = 60_000;

/** Outages, closed windows and open-breaker periods, in ms since the run's start. */
function bands(run: RunResult): Band[] {
  const out: Band[] = [];
  const band = (from: number, to: number, color: string, label: string) => out.push({ from: from - run.start, to: to - run.start, color, label });
  for (const o of run.model.spec.outages) band(run.start + o.fromMinute * MINUTE_MS, run.start + o.toMinute * MINUTE_MS, COLORS.outage, `outage (${o.mode})`);
  let t = run.start;
  for (const s of openSpans(run.provider, run.start, run.end)) {
    if (s.start > t) band(t, s.start, COLORS.closed, "window closed");
    t = s.end;
  }
  if (t < run.end) band(t, run.end, COLORS.closed, "window closed");
  let openedAt: number | null = null;
  for (const p of run.recorder.controller) {
    if (p.breaker === BREAKER.OPEN && openedAt === null) openedAt = p.at;
    if (p.breaker !== BREAKER.OPEN && openedAt !== null) {
      band(openedAt, p.at, COLORS.breaker, "breaker open");
      openedAt = null;
    }
  }
  if (openedAt !== null) band(openedAt, run.end, COLORS.breaker, "breaker open");
  return out;
}

function capacitySeries(run: RunResult): [number, number][] {
  return run.model.spec.capacity.points.map((p) => [p.atMinute * MINUTE_MS, p.value] as [number, number]).filter(([t]) => t <= run.end - run.start);
}

function runSection(run: RunResult): string {
  const xMax = Math.max(run.end - run.start, MINUTE_MS);
  const r = run.recorder;
  const since = (at: number) => at - run.start;
  const bucketT = (i: number) => i * BUCKET_MS;
  const limit: [number, number][] = [[0, run.provider.initialFanOut], ...r.controller.map((p) => [since(p.at), p.limit] as [number, number])];
  const mapping = run.mappingHistory.map((h) => [since(h.at), h.enabled ? h.batchSize : 0.5] as const);
  const inFlight = r.buckets.map((b, i) => [bucketT(i), b.maxInFlight] as const);
  const band = bands(run);
  const axis = ELAPSED_HOURS;

  const batchChart = timeChart({
    title: "Fan-out limit and mapping batch size over time",
    yLabel: "calls / records (log)",
    xMax,
    axis,
    logY: true,
    yMin: 1,
    bands: band,
    series: [
      { label: "mapping batch size (effective)", color: COLORS.batch, points: mapping, step: true },
      { label: "controller limit (as saved after each batch)", color: COLORS.limit, points: limit, step: true },
      { label: "max in flight at the provider / min", color: COLORS.inFlight, points: inFlight },
      { label: "true capacity", color: COLORS.capacity, points: capacitySeries(run), step: true, dashed: true },
    ],
  });
  const pct = (n: number) =>
    r.buckets.flatMap((b, i) => (b.latencies.length ? [[bucketT(i), nearestRank([...b.latencies].sort((x, y) => x - y), n)] as const] : []));
  const latencyChart = timeChart({
    title: "Latency per minute (ms)",
    yLabel: "ms (log)",
    xMax,
    axis,
    logY: true,
    yMin: 5,
    bands: band,
    series: [
      { label: "p50", color: COLORS.p50, points: pct(50) },
      { label: "p95", color: COLORS.p95, points: pct(95) },
    ],
  });
  const outcomeKeys = ["ok", "error", "throttled", "timeout"] as const;
  const outcomeChart = timeChart({
    title: "Outcomes per minute",
    yLabel: "calls",
    xMax,
    axis,
    bands: band,
    bars: {
      keys: outcomeKeys.map((k) => ({ label: k, color: OUTCOME_COLORS[k] })),
      buckets: r.buckets.map((b, i) => ({ from: bucketT(i), to: bucketT(i + 1), values: outcomeKeys.map((k) => b[k]) })),
    },
  });

  const m = run.metrics as unknown as Record<string, unknown>;
  const facts: [string, string][] = [
    ["simulated", `${((run.end - run.start) / 3_600_000).toFixed(2)} h (${run.endReason})`],
    ["calls", `${r.totals.calls} (ok ${r.totals.ok}, error ${r.totals.error}, throttled ${r.totals.throttled}, timeout ${r.totals.timeout})`],
    ["records", `${run.recorder.finished.size} finished, ${r.dropped.size} dropped by the mapping`],
    ["mapping requests", `${run.mappingRequests.accepted} accepted, ${run.mappingRequests.refused} refused (ResourceInUse)`],
    ["batches", `${run.mappingStats.batches} delivered, ${run.mappingStats.redeliveries} redeliveries`],
    ["ventilator failures", String(r.ventilatorFailures.length)],
    ["seed", String(run.seed)],
  ];
  return `<section>
<h2>${escapeXml(run.scenario.name)} — ${escapeXml(run.controller)}</h2>
<p>${escapeXml(run.scenario.description)}</p>
<div class="tables">${factTable(METRIC_KEYS.map((k) => [k, String(m[k])]))}${factTable(facts)}</div>
${batchChart}
${latencyChart}
${outcomeChart}
</section>`;
}

export function renderReport(runs: readonly RunResult[], title = "sluice simulation"): string {
  return htmlPage(title, runs.map(runSection).join("\n"));
}
