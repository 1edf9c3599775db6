/**
 * A self-contained HTML report of simulated runs: per run, its metrics, the
 * seed article's chart (batch size over time, here with the controller's
 * limit, the calls really in flight and the provider's true capacity),
 * latency percentiles and outcomes per minute. Inline SVG and CSS only.
 */
import { BREAKER } from "../runtime/controller/types";
import { nearestRank } from "../runtime/controller/batch-stats";
import { METRIC_KEYS } from "./metrics";
import { openSpans } from "./oracle";
import { BUCKET_MS } from "./recorder";
import type { RunResult } from "./run";
import { chart, escapeXml, type Band } from "./svg";

const COLORS = { batch: "#7b61ff", limit: "#1f77b4", inFlight: "#2ca02c", capacity: "#d62728", p50: "#1f77b4", p95: "#ff7f0e" };
const OUTCOME_COLORS = { ok: "#2ca02c", error: "#d62728", throttled: "#ff7f0e", timeout: "#8c564b" } as const;
const MINUTE_MS = 60_000;

function bands(run: RunResult): Band[] {
  const out: Band[] = [];
  for (const o of run.model.spec.outages) {
    out.push({ from: run.start + o.fromMinute * MINUTE_MS, to: run.start + o.toMinute * MINUTE_MS, color: "rgba(214,39,40,0.12)", label: `outage (${o.mode})` });
  }
  let t = run.start;
  for (const s of openSpans(run.provider, run.start, run.end)) {
    if (s.start > t) out.push({ from: t, to: s.start, color: "rgba(120,120,120,0.15)", label: "window closed" });
    t = s.end;
  }
  if (t < run.end) out.push({ from: t, to: run.end, color: "rgba(120,120,120,0.15)", label: "window closed" });
  let openedAt: number | null = null;
  for (const p of run.recorder.controller) {
    if (p.breaker === BREAKER.OPEN && openedAt === null) openedAt = p.at;
    if (p.breaker !== BREAKER.OPEN && openedAt !== null) {
      out.push({ from: openedAt, to: p.at, color: "rgba(255,127,14,0.15)", label: "breaker open" });
      openedAt = null;
    }
  }
  if (openedAt !== null) out.push({ from: openedAt, to: run.end, color: "rgba(255,127,14,0.15)", label: "breaker open" });
  return out;
}

function capacitySeries(run: RunResult): { t: number; v: number }[] {
  const pts = run.model.spec.capacity.points.map((p) => ({ t: run.start + p.atMinute * MINUTE_MS, v: p.value }));
  return pts.filter((p) => p.t <= run.end);
}

function runSection(run: RunResult): string {
  const from = run.start;
  const to = Math.max(run.end, run.start + MINUTE_MS);
  const r = run.recorder;
  const bucketT = (i: number) => from + i * BUCKET_MS;
  const limit = [{ t: from, v: run.provider.initialFanOut }, ...r.controller.map((p) => ({ t: p.at, v: p.limit }))];
  const mapping = run.mappingHistory.map((h) => ({ t: h.at, v: h.enabled ? h.batchSize : 0.5 }));
  const inFlight = r.buckets.map((b, i) => ({ t: bucketT(i), v: b.maxInFlight }));
  const band = bands(run);

  const batchChart = chart({
    title: "Fan-out limit and mapping batch size over time",
    yLabel: "calls / records (log)",
    from,
    to,
    logY: true,
    yMin: 1,
    bands: band,
    series: [
      { name: "mapping batch size (effective)", color: COLORS.batch, points: mapping, step: true },
      { name: "controller limit (as saved after each batch)", color: COLORS.limit, points: limit, step: true },
      { name: "max in flight at the provider / min", color: COLORS.inFlight, points: inFlight },
      { name: "true capacity", color: COLORS.capacity, points: capacitySeries(run), step: true, dashed: true },
    ],
  });
  const pct = (n: number) =>
    r.buckets
      .map((b, i) => ({ t: bucketT(i), v: b.latencies.length ? nearestRank([...b.latencies].sort((x, y) => x - y), n) : NaN }))
      .filter((p) => Number.isFinite(p.v));
  const latencyChart = chart({
    title: "Latency per minute (ms)",
    yLabel: "ms (log)",
    from,
    to,
    logY: true,
    yMin: 5,
    bands: band,
    series: [
      { name: "p50", color: COLORS.p50, points: pct(50) },
      { name: "p95", color: COLORS.p95, points: pct(95) },
    ],
  });
  const outcomes = (["ok", "error", "throttled", "timeout"] as const).map((k) => ({
    name: k,
    color: OUTCOME_COLORS[k],
    values: r.buckets.map((b, i) => ({ t: bucketT(i), v: b[k] })),
  }));
  const outcomeChart = chart({ title: "Outcomes per minute", yLabel: "calls", from, to, bars: { width: BUCKET_MS, layers: outcomes }, bands: band });

  const m = run.metrics as unknown as Record<string, unknown>;
  const metricRows = METRIC_KEYS.map((k) => `<tr><th>${k}</th><td>${escapeXml(String(m[k]))}</td></tr>`).join("");
  const facts: [string, string][] = [
    ["simulated", `${((run.end - run.start) / 3_600_000).toFixed(2)} h (${run.endReason})`],
    ["calls", `${r.totals.calls} (ok ${r.totals.ok}, error ${r.totals.error}, throttled ${r.totals.throttled}, timeout ${r.totals.timeout})`],
    ["records", `${run.recorder.finished.size} finished, ${r.dropped.size} dropped by the mapping`],
    ["mapping requests", `${run.mappingRequests.accepted} accepted, ${run.mappingRequests.refused} refused (ResourceInUse)`],
    ["batches", `${run.mappingStats.batches} delivered, ${run.mappingStats.redeliveries} redeliveries`],
    ["ventilator failures", String(r.ventilatorFailures.length)],
    ["seed", String(run.seed)],
  ];
  const factRows = facts.map(([k, v]) => `<tr><th>${k}</th><td>${escapeXml(v)}</td></tr>`).join("");
  return `<section>
<h2>${escapeXml(run.scenario.name)} — ${escapeXml(run.controller)}</h2>
<p>${escapeXml(run.scenario.description)}</p>
<div class="tables"><table>${metricRows}</table><table>${factRows}</table></div>
${batchChart}
${latencyChart}
${outcomeChart}
</section>`;
}

export function renderReport(runs: readonly RunResult[], title = "sluice simulation"): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:20px}h2{font-size:17px;margin-top:32px}
.tables{display:flex;gap:24px;flex-wrap:wrap}
table{border-collapse:collapse;font-size:13px}th{text-align:left;padding:2px 10px 2px 0;font-weight:600}td{padding:2px 0}
svg{display:block;margin:12px 0}
svg .title{font-size:13px;font-weight:600}svg .tick{font-size:11px;fill:#444}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}svg .frame{fill:none;stroke:#bbb}
</style></head><body>
<h1>${escapeXml(title)}</h1>
${runs.map(runSection).join("\n")}
</body></html>
`;
}
