/**
 * What one batch's calls looked like, in the terms every strategy, log line and
 * metric uses.
 *
 *   slow = latency > latencyThresholdMs, whatever the outcome
 *   bad  = outcome ≠ ok OR slow (a call counts once)
 *   pN   = nearest-rank percentile of the latencies: sorted[ceil(N/100 × n) − 1]; 0 when n = 0
 */
import type { CallSample } from "./types";

export interface BatchStats {
  total: number;
  ok: number;
  error: number;
  throttled: number;
  timeout: number;
  slow: number;
  bad: number;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` values; 0 for none. */
export function nearestRank(sorted: readonly number[], percent: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((percent / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly CallSample[], latencyThresholdMs: number): BatchStats {
  const stats: BatchStats = { total: samples.length, ok: 0, error: 0, throttled: 0, timeout: 0, slow: 0, bad: 0, p50: 0, p95: 0, max: 0 };
  for (const s of samples) {
    stats[s.outcome] += 1;
    const slow = s.latencyMs > latencyThresholdMs;
    if (slow) stats.slow += 1;
    if (slow || s.outcome !== "ok") stats.bad += 1;
  }
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  stats.p50 = nearestRank(sorted, 50);
  stats.p95 = nearestRank(sorted, 95);
  stats.max = sorted.at(-1) ?? 0;
  return stats;
}

/** Share of bad calls in [0, 1]; 0 for a batch without calls. */
export function badShare(stats: BatchStats): number {
  return stats.total === 0 ? 0 : stats.bad / stats.total;
}
