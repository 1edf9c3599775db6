/**
 * The local report (`sluice local --report`): one self-contained HTML file of
 * a local run, drawn with the report kit (report/) the simulation report uses
 * too. The summary, then per provider: the fan-out limit over time (the seed
 * article's chart: calls a batch may have in flight, with the peak actually in
 * flight, breaker and pause periods shaded, scenario steps marked), the event
 * source mapping's BatchSize (with the adaptive strategy a ceiling of records
 * per invocation, not the fan-out), latency (each call as the provider served
 * it, each batch's p50/p95 as the ventilator measured it, engines included)
 * against the threshold, the provider's calls by outcome, and progress.
 */
import type { ProviderCall } from "../pipeline";
import type { LocalProviderPlan } from "./plan";
import type { ProviderRun, ProviderSnapshot } from "./provider-run";
import type { LocalScenario } from "./local-scenario";
import { notableEvents } from "./events";
import { escapeXml, gridTable, htmlPage } from "../../report/html-page";
import { timeChart, WALL_SECONDS, type Band, type Marker } from "../../report/svg-chart";
import type { LocalSummary } from "./summary";

export interface ReportInput {
  summary: LocalSummary;
  runs: readonly ReportRun[];
  speed: number;
  scenario: LocalScenario | null;
  /** Epoch ms the run began (for the title). */
  startedAt: number;
  /** Epoch ms of wall second 0 (records enqueued). */
  t0: number;
}

/** What the report reads of a provider's run. */
export type ReportRun = Pick<ProviderRun, "id" | "plan" | "lines" | "snapshots" | "steps" | "clockOffsetMs"> & {
  pipeline: { calls: readonly ProviderCall[]; mapping: { poller: { batches: readonly { readAt: number; batchSizeSetting: number }[] } } };
};

const COLORS = { batch: "#1f6feb", limit: "#8250df", p50: "#1a7f37", p95: "#bf8700", ok: "#2da44e", error: "#cf222e", throttled: "#bf8700", timeout: "#8250df", dead: "#24292f" };
const BUCKETS = 40;
/** Per-call dots drawn at most, so a long run's report stays small. */
const MAX_DOTS = 3_000;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const s = (ms: number) => ms / 1_000;

/** Periods where `state` holds, from consecutive snapshots. */
export function spans(snapshots: readonly ProviderSnapshot[], state: (snap: ProviderSnapshot) => string | null, endMs: number): { from: number; to: number; state: string }[] {
  const out: { from: number; to: number; state: string }[] = [];
  for (const [i, snap] of snapshots.entries()) {
    const st = state(snap);
    const to = snapshots[i + 1]?.atMs ?? endMs;
    const last = out.at(-1);
    if (st === null) continue;
    if (last && last.state === st && last.to === snap.atMs) last.to = to;
    else out.push({ from: snap.atMs, to, state: st });
  }
  return out;
}

function providerSection(run: ReportRun, input: ReportInput, xMax: number): string {
  const { plan } = run;
  const endMs = xMax * 1_000;
  const batchLines = run.lines.filter((l) => l.line.message === "batch");
  const batches = run.pipeline.mapping.poller.batches.map((b) => [s(b.readAt - input.t0), b.batchSizeSetting] as const);
  const limits = batchLines.map((l) => [s(l.atMs), num(l.line.Limit)] as const);
  const breakerBands: Band[] = spans(run.snapshots, (x) => (x.breaker === "closed" ? null : x.breaker), endMs).map((b) => ({
    from: s(b.from),
    to: s(b.to),
    color: b.state === "open" ? COLORS.error : COLORS.throttled,
    label: `breaker ${b.state}`,
  }));
  const pauseBands: Band[] = spans(run.snapshots, (x) => (x.pause === null || x.breaker !== "closed" ? null : x.pause), endMs).map((b) => ({
    from: s(b.from),
    to: s(b.to),
    color: "#6e7781",
    label: `paused: ${b.state}`,
  }));
  const markers: Marker[] = run.steps.map((st) => ({ at: s(st.atMs), label: st.text }));
  const max = plan.provider.maxFanOut;

  const inFlight = batchLines.filter((l) => num(l.line.InFlight) > 0).map((l) => [s(l.atMs), num(l.line.InFlight)] as const);
  const limitChart = timeChart({
    title: `${run.id}: fan-out limit over time (calls in flight per batch)`,
    xMax,
    axis: WALL_SECONDS,
    yMax: max + 1,
    yLabel: "calls",
    series: [
      { label: "fan-out limit", color: COLORS.limit, points: limits, step: true },
      { label: "peak in flight per batch", color: COLORS.batch, points: inFlight, dots: true },
    ],
    bands: [...breakerBands, ...pauseBands],
    markers,
    guides: [{ y: max, label: `maxFanOut ${max}`, color: "#999" }],
  });
  const mappingChart = timeChart({
    title: `${run.id}: mapping batch size (records per invocation)`,
    xMax,
    axis: WALL_SECONDS,
    yLabel: "records",
    series: [{ label: "mapping batch size", color: COLORS.batch, points: batches, step: true }],
    bands: breakerBands,
  });

  // Calls carry the provider's clock; offsetMs brings them back to the wall clock.
  const wallS = (providerMs: number) => s(providerMs - run.clockOffsetMs - input.t0);
  const calls = run.pipeline.calls;
  const sampled = calls.length <= MAX_DOTS ? calls : calls.filter((_, i) => i % Math.ceil(calls.length / MAX_DOTS) === 0);
  const withLatency = batchLines.filter((l) => num(l.line.Ok) + num(l.line.Error) + num(l.line.Throttled) + num(l.line.Timeout) > 0);
  const latencyChart = timeChart({
    title: `${run.id}: latency (provider time compressed ×${round(plan.latencyFactor)})`,
    xMax,
    axis: WALL_SECONDS,
    yLabel: "ms",
    series: [
      { label: "each call, as the provider served it", color: "#afb8c1", points: sampled.map((c) => [wallS(c.endedAt), c.endedAt - c.startedAt] as const), dots: true },
      { label: "batch p50, as the ventilator measured it", color: COLORS.p50, points: withLatency.map((l) => [s(l.atMs), num(l.line.LatencyP50)] as const), dots: true },
      { label: "batch p95", color: COLORS.p95, points: withLatency.map((l) => [s(l.atMs), num(l.line.LatencyP95)] as const), dots: true },
    ],
    markers,
    guides: [{ y: plan.provider.latencyThresholdMs, label: `latency threshold ${plan.provider.latencyThresholdMs} ms`, color: COLORS.error }],
  });

  const width = xMax / BUCKETS;
  const outcomes = ["ok", "error", "throttled"] as const;
  const buckets = Array.from({ length: BUCKETS }, (_, i) => ({ from: i * width, to: (i + 1) * width, values: outcomes.map(() => 0) }));
  for (const c of calls) {
    const b = buckets[Math.max(0, Math.min(BUCKETS - 1, Math.floor(wallS(c.endedAt) / width)))];
    if (b) b.values[outcomes.indexOf(c.outcome)]! += 1;
  }
  const outcomeChart = timeChart({
    title: `${run.id}: calls the provider served, by outcome`,
    xMax,
    axis: WALL_SECONDS,
    yLabel: `calls per ${width < 10 ? width.toFixed(1) : Math.round(width)} s`,
    bars: {
      keys: [
        { label: "ok", color: COLORS.ok },
        { label: "error", color: COLORS.error },
        { label: "throttled", color: COLORS.throttled },
      ],
      buckets,
    },
  });

  const progressChart = timeChart({
    title: `${run.id}: progress`,
    xMax,
    axis: WALL_SECONDS,
    yMax: Math.max(1, run.snapshots.at(-1)?.enqueued ?? 1) * 1.05,
    yLabel: "records",
    series: [
      { label: "done", color: COLORS.ok, points: run.snapshots.map((x) => [s(x.atMs), x.done] as const) },
      { label: "dead", color: COLORS.dead, points: run.snapshots.map((x) => [s(x.atMs), x.dead] as const) },
      { label: "failed attempts", color: COLORS.error, points: run.snapshots.map((x) => [s(x.atMs), x.failed] as const), dashed: true },
    ],
    markers,
  });

  const events = [...notableEvents(run.lines).map((e) => ({ atMs: e.atMs, text: e.text })), ...run.steps.map((st) => ({ atMs: st.atMs, text: `scenario: ${st.text}` }))].sort((a, b) => a.atMs - b.atMs);
  const eventList = events.length
    ? `<details><summary>${events.length} events</summary><ul>${events.map((e) => `<li><code>${s(e.atMs).toFixed(1)} s</code> ${escapeXml(e.text)}</li>`).join("")}</ul></details>`
    : "";
  return `<section><h2>${escapeXml(run.id)}</h2>${notes(plan)}${limitChart}${mappingChart}${latencyChart}${outcomeChart}${progressChart}${eventList}</section>`;
}

function notes(plan: LocalProviderPlan): string {
  const p = plan.provider;
  const profile = plan.profile;
  const facts = [
    `strategy ${p.controller.strategy}, maxFanOut ${p.maxFanOut}, ${p.concurrentBatches} batch${p.concurrentBatches > 1 ? "es" : ""} in flight, maxAttempts ${p.maxAttempts}`,
    `profile (provider time): ${profile.baseLatencyMs} ms calls, ${profile.slowPercentage}% slow at ${profile.slowMs} ms, ${profile.errorPercentage}% errors, ${profile.throttlePercentage}% throttled`,
    ...plan.notes,
  ];
  return `<ul class="notes">${facts.map((f) => `<li>${escapeXml(f)}</li>`).join("")}</ul>`;
}

function summaryTable(summary: LocalSummary): string {
  const cols = ["id", "enqueued", "done", "dead", "fetchedTwice", "maxMappingBatchSize", "minMappingBatchSize", "breakerOpened"] as const;
  return gridTable(cols, summary.providers.map((p) => cols.map((c) => p[c])));
}

export function renderReport(input: ReportInput): string {
  const { summary } = input;
  const xMax = Math.max(1, summary.wallSeconds);
  const stopped = { done: "every record done or dead", timeout: "stopped by --timeout", signal: "interrupted (Ctrl-C)" }[summary.stoppedBy];
  const scenario = input.scenario ? `${input.scenario.source}${input.scenario.description ? `: ${input.scenario.description}` : ""}` : "none";
  return htmlPage(
    "sluice local report",
    `<p>${escapeXml(new Date(input.startedAt).toISOString())} · ${summary.wallSeconds} s · ${escapeXml(stopped)} · intervals compressed ×${round(input.speed)} · scenario ${escapeXml(scenario)}</p>
${summaryTable(summary)}
${input.runs.map((r) => providerSection(r, input, xMax)).join("\n")}`,
  );
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
