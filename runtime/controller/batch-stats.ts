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

/**
 * Counts are computed at once; the percentiles only when read. The ventilator
 * re-summarizes the growing batch before every call start just to read the
 * counts, and sorting there made a long batch cost O(n² log n).
 */
export function summarize(samples: readonly CallSample[], latencyThresholdMs: number): BatchStats {
  const counts = { total: samples.length, ok: 0, error: 0, throttled: 0, timeout: 0, slow: 0, bad: 0 };
  for (const s of samples) {
    counts[s.outcome] += 1;
    const slow = s.latencyMs > latencyThresholdMs;
    if (slow) counts.slow += 1;
    if (slow || s.outcome !== "ok") counts.bad += 1;
  }
  let sorted: number[] | undefined;
  // The caller may keep appending to `samples`: the percentiles describe the calls counted now.
  const n = samples.length;
  const latencies = () => (sorted ??= samples.slice(0, n).map((s) => s.latencyMs).sort((a, b) => a - b));
  const lazy = (read: (sorted: number[]) => number): PropertyDescriptor => ({ enumerable: true, get: () => read(latencies()) });
  return Object.defineProperties(counts, {
    p50: lazy((l) => nearestRank(l, 50)),
    p95: lazy((l) => nearestRank(l, 95)),
    max: lazy((l) => l.at(-1) ?? 0),
  }) as BatchStats;
}

/** Share of bad calls in [0, 1]; 0 for a batch without calls. */
export function badShare(stats: BatchStats): number {
  return stats.total === 0 ? 0 : stats.bad / stats.total;
}
