/**
 * A scenario space instead of a few examples: N providers drawn at random,
 * each run with every controller on the same seed. Draw i (seeded by the
 * sweep's seed and i, so a draw can be rerun alone with --seed and --draw):
 *
 *   cap C           log-uniform in [1, 100]; lanes (shards × parallelization) 1, or 2–4 when C ≥ 8
 *   median latency  log-uniform in [5 ms, 20 s];  σ uniform in [0, 2.5]; clipped to [5 ms, 70 s]
 *   errors          uniform in [0, 5 %] whatever the load
 *   true capacity   C with p = 0.4, else uniform in [0.25, 1] × C (at least 1)
 *   overload        throttles and errors (the model's default) p = 0.6, errors only p = 0.2,
 *                   latency only ((n / capacity)^e, e uniform in [1, 2]) p = 0.2
 *   outage          p = 0.25: from minute 10–60, 5–60 minutes long, fast errors or hangs (p = 0.5)
 *   the operator's  latencyThresholdMs = the healthy p97 (median × e^(1.88 σ)) within [50 ms, 60 s];
 *   settings        errorRateThreshold uniform in [0.2, 0.5]; worker timeout 90 s
 *   backlog         2 hours of the oracle's calls, within [300, 30 000]; horizon 48 h
 *
 * A draw without an outage is healthy: a breaker opening there is a false open
 * unless the controller had pushed the provider past its true capacity (metrics).
 */
import { nearestRank } from "../runtime/controller/batch-stats";
import type { Metrics } from "./metrics";
import { round } from "./metrics";
import { meanClippedLatency } from "./oracle";
import { stream, uniform, type Random } from "./rng";
import { runScenario } from "./run";
import { CONTROLLERS, DEFAULT_CONTROLLER, validateScenario, type ControllerName, type Scenario, type ScenarioInput } from "./simulation-scenario";

export interface SweepDraw {
  index: number;
  scenario: Scenario;
  healthy: boolean;
}

const logUniform = (r: Random, min: number, max: number): number => Math.exp(uniform(r, Math.log(min), Math.log(max)));
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

export function sweepDraw(seed: number, index: number): SweepDraw {
  const r = stream(seed, `sweep-draw-${index}`);
  const cap = Math.max(1, Math.round(logUniform(r, 1, 100)));
  const lanes = cap >= 8 && r() < 0.3 ? pick(r, [2, 3, 4]) : 1;
  const medianMs = round(logUniform(r, 5, 20_000), 1);
  const sigma = round(uniform(r, 0, 2.5), 2);
  const errorShare = round(uniform(r, 0, 0.05), 4);
  const capacity = r() < 0.4 ? cap : Math.max(1, Math.round(uniform(r, 0.25, 1) * cap));
  const style = r();
  const overload =
    style < 0.6
      ? { throttleShare: 0.5, errorShare: 0.2, latencyExponent: 1 }
      : style < 0.8
        ? { throttleShare: 0, errorShare: 0.5, latencyExponent: 1 }
        : { throttleShare: 0, errorShare: 0, latencyExponent: round(uniform(r, 1, 2), 2) };
  const outage = r() < 0.25 ? { fromMinute: Math.round(uniform(r, 10, 60)), minutes: Math.round(uniform(r, 5, 60)), mode: r() < 0.5 ? "error" : "timeout" } : null;
  const threshold = Math.round(Math.min(60_000, Math.max(50, medianMs * Math.exp(1.88 * sigma))));
  const errorRateThreshold = round(uniform(r, 0.2, 0.5), 2);
  const meanMs = meanClippedLatency(medianMs, sigma);
  const records = Math.round(Math.min(30_000, Math.max(300, (Math.min(capacity, cap) / (meanMs / 1000)) * 7_200)));
  const shards = lanes === 4 ? 2 : 1;
  const input: ScenarioInput = {
    name: `sweep-${seed}-${index}`,
    description: `cap ${cap} (${lanes} lane${lanes > 1 ? "s" : ""}), capacity ${capacity}, median ${medianMs} ms, σ ${sigma}, ${round(errorShare * 100, 2)} % errors${outage ? `, ${outage.mode} outage` : ""}`,
    start: "2026-03-02T08:00:00Z",
    horizonHours: 48,
    provider: {
      id: `sweep-${index}`,
      maxConcurrency: cap,
      shardCount: shards,
      parallelizationFactor: lanes / shards,
      maxFanOut: Math.max(1, Math.floor(cap / lanes)),
      latencyThresholdMs: threshold,
      errorRateThreshold,
      maxAttempts: 5,
      worker: { module: "chaos", timeoutSeconds: 90 },
    },
    backlog: [{ records }],
    model: {
      capacity,
      latency: { medianMs, sigma },
      errorShare,
      overload,
      outages: outage ? [{ fromMinute: outage.fromMinute, toMinute: outage.fromMinute + outage.minutes, mode: outage.mode as "error" | "timeout" }] : [],
    },
  };
  return { index, scenario: validateScenario(input, `sweep draw ${index}`), healthy: outage === null };
}

export interface SweepRow {
  draw: number;
  healthy: boolean;
  metrics: Metrics;
}

export interface SweepSummary {
  controller: ControllerName;
  runs: number;
  goodputMin: number;
  goodputP10: number;
  goodputMedian: number;
  /** Breaker openings on healthy draws, and how many of them were false (metrics.falseOpens). */
  healthyOpens: number;
  falseOpens: number;
  duplicates: number;
  lost: number;
}

export interface SweepOptions {
  draws: number;
  seed: number;
  controllers?: readonly ControllerName[];
  onProgress?: (done: number, total: number) => void;
}

export async function runSweep(opts: SweepOptions): Promise<{ rows: SweepRow[]; summary: SweepSummary[] }> {
  const controllers = opts.controllers ?? CONTROLLERS;
  const rows: SweepRow[] = [];
  const total = opts.draws * controllers.length;
  for (let i = 0; i < opts.draws; i++) {
    const draw = sweepDraw(opts.seed, i);
    for (const controller of controllers) {
      const run = await runScenario({ scenario: draw.scenario, controller, seed: opts.seed });
      rows.push({ draw: i, healthy: draw.healthy, metrics: run.metrics });
      opts.onProgress?.(rows.length, total);
    }
  }
  return { rows, summary: summarize(rows, controllers) };
}

export function summarize(rows: readonly SweepRow[], controllers: readonly ControllerName[]): SweepSummary[] {
  return controllers.map((controller) => {
    const mine = rows.filter((r) => r.metrics.controller === controller);
    const goodputs = mine.map((r) => r.metrics.goodput ?? 0).sort((a, b) => a - b);
    const healthy = mine.filter((r) => r.healthy);
    const sum = (key: "breakerOpens" | "falseOpens" | "duplicates" | "lost", from = mine) => from.reduce((n, r) => n + (r.metrics[key] ?? 0), 0);
    return {
      controller,
      runs: mine.length,
      goodputMin: goodputs[0] ?? 0,
      goodputP10: nearestRank(goodputs, 10),
      goodputMedian: nearestRank(goodputs, 50),
      healthyOpens: sum("breakerOpens", healthy),
      falseOpens: sum("falseOpens", healthy),
      duplicates: sum("duplicates"),
      lost: sum("lost"),
    };
  });
}

export { DEFAULT_CONTROLLER };
