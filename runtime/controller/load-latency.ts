/**
 * Does the provider's latency rise with our calls in flight? A provider that
 * queues instead of refusing never throttles; only its latency says it is
 * past its capacity. A latency that changes for other reasons (a slower hour,
 * a heavy tail) says nothing of load. Only an experiment tells the two apart:
 * a *dip* runs the fan-out at half the limit for a while and compares.
 *
 * All latencies are ln(ms) of ok calls (a multiplicative slowdown is a shift,
 * and a heavy tail weighs like any other call). Per level, an exponentially
 * weighted mean and variance over the last LEVEL_MEMORY calls, counted from
 * the first call started at that level (the calls still in flight when the
 * fan-out moved are skipped).
 *
 *   dip:        the fan-out drops from L to d = ⌊L / 2⌋ (≥ 1) for DIP_CALLS to DIP_MAX_CALLS calls
 *   elasticity: e = Δ / span, Δ = mean(L) − mean(d), span = ln(L / d), se = √(var(L)/n(L) + var(d)/n(d))
 *               loaded ⇔ (Δ − Z × se) / span > E_MIN     (latency grows faster than √n, with confidence)
 *               not loaded ⇔ (Δ + Z × se) / span < E_MIN; neither: the dip goes on, and at DIP_MAX_CALLS
 *               the estimate decides (e > E_MIN)
 *   loaded:     the limit falls (adaptive.ts): to d when e ≥ E_STEEP (both levels past capacity: the lower
 *               completes as many calls per second, Little's law), else to ⌊L × β⌋; the next dip comes at once
 *   not loaded: back to L; the dip level's latency is the new reference
 *   when:       a fresh pipeline starts with one (warmUp: the low level first); then every
 *               max(DIP_EVERY, the dip's cost / DIP_BUDGET) (nextDipAfter); and at once when the current
 *               level's latency is "loaded" against the reference (the same test, the reference in the
 *               place of the dip)
 */
import type { CallSample } from "./types";

export interface LevelStats {
  limit: number;
  /** Completions still to ignore: calls started before the fan-out moved to this level ran under the old one. */
  skip: number;
  n: number;
  mean: number;
  variance: number;
}

export interface LoadLatency {
  /** The level the fan-out runs at now, and its latency. */
  current: LevelStats;
  /** The latency at the last dip's lower level. */
  reference?: LevelStats;
  /** A dip in progress: the level it left. */
  dipFrom?: LevelStats;
  /** Growth stops below this while a dip said the level above is loaded. */
  ceiling?: number;
  /** Epoch ms of the next periodic dip; 0 means as soon as the level has enough calls. */
  nextDipAt: number;
}

export const DIP_CALLS = 60;
/** A dip that is still undecided after DIP_CALLS goes on up to this many calls, then decides on the estimate. */
export const DIP_MAX_CALLS = 120;
/** Elasticity above which both levels are past capacity: the lower one is at least as good. */
export const E_STEEP = 1.5;
export const LEVEL_MEMORY = 200;
/** Periodic dips: at least this far apart, and far enough apart that they cost at most DIP_BUDGET of the calls. */
export const DIP_EVERY_MS = 60 * 60_000;
export const DIP_BUDGET = 0.0025;
export const Z = 2;
export const E_MIN = 0.5;

/** A level just entered from `previous` (calls in flight then are still to complete). */
export function emptyLevel(limit: number, previous = 0): LevelStats {
  return { limit, skip: previous, n: 0, mean: 0, variance: 0 };
}

/**
 * A fresh pipeline starts as if in a dip: at half its initial fan-out for DIP_CALLS calls, which gives
 * the reference (the latency at low load) before the first full-fan-out call; a queueing provider is
 * then caught by the trigger as soon as the full fan-out has DIP_CALLS calls. `limit` is the level
 * after the warm-up.
 */
export function warmUp(limit: number): LoadLatency {
  const d = dipLevel(limit);
  return { current: emptyLevel(d), ...(d < limit ? { dipFrom: emptyLevel(limit) } : {}), nextDipAt: Number.MAX_SAFE_INTEGER };
}

/** No dip has measured the provider yet: the statistics start at the current limit. */
export function freshLoadLatency(limit: number): LoadLatency {
  return { current: emptyLevel(limit), nextDipAt: 0 };
}

/** The level's statistics after more calls (ok calls only; throttles and errors come back fast and say nothing of work). */
export function addCalls(level: LevelStats, samples: readonly CallSample[]): LevelStats {
  let { skip, n, mean, variance } = level;
  for (const s of samples) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (s.outcome !== "ok") continue;
    const x = Math.log(Math.max(1, s.latencyMs));
    n++;
    const w = 1 / Math.min(n, LEVEL_MEMORY);
    const d = x - mean;
    mean += w * d;
    variance = n === 1 ? 0 : (1 - w) * (variance + w * d * d);
  }
  return { ...level, skip, n, mean, variance };
}

/** Calls the estimate rests on: the weights forget beyond LEVEL_MEMORY. */
const effective = (l: LevelStats): number => Math.min(l.n, LEVEL_MEMORY);

/**
 * The elasticity of latency to the fan-out between two levels, e = Δ / span, and its lower
 * confidence bound (Δ − Z × se) / span; null when the levels cannot be compared.
 */
export function elasticity(high: LevelStats, low: LevelStats): { e: number; lower: number } | null {
  if (high.limit <= low.limit || high.n < 2 || low.n < 2) return null;
  const delta = high.mean - low.mean;
  const se = Math.sqrt(high.variance / effective(high) + low.variance / effective(low));
  const span = Math.log(high.limit / low.limit);
  return { e: delta / span, lower: (delta - Z * se) / span };
}

/** Whether latency at `high` exceeds that at `low` by more than E_MIN of the load ratio, with confidence. */
export function loaded(high: LevelStats, low: LevelStats): boolean {
  const e = elasticity(high, low);
  return e !== null && e.lower > E_MIN;
}

/**
 * A dip's verdict once it has DIP_CALLS calls: decided as soon as the confidence interval of e
 * lies on one side of E_MIN, on the estimate itself at DIP_MAX_CALLS; null while undecided.
 */
export function dipVerdict(from: LevelStats, dip: LevelStats): { loaded: boolean; e: number } | null {
  const e = elasticity(from, dip);
  if (e === null || dip.n < DIP_CALLS) return null;
  if (e.lower > E_MIN) return { loaded: true, e: e.e };
  const upper = 2 * e.e - e.lower;
  if (upper < E_MIN) return { loaded: false, e: e.e };
  return dip.n >= DIP_MAX_CALLS ? { loaded: e.e > E_MIN, e: e.e } : null;
}

export function dipLevel(limit: number): number {
  return Math.max(1, Math.floor(limit / 2));
}

/**
 * When the next periodic dip is due after one at level `limit`, for a mean latency of `latencyMs`:
 *   dip length ≈ (limit + DIP_CALLS) × latency / d (the calls in flight drain, then DIP_CALLS at d),
 *   capacity it forgoes ≈ its length × (1 − d / limit), spaced so that this is DIP_BUDGET of the time.
 */
export function nextDipAfter(now: number, limit: number, latencyMs: number | undefined): number {
  const d = dipLevel(limit);
  const dipMs = ((limit + DIP_CALLS) * (latencyMs ?? 0)) / d;
  return now + Math.max(DIP_EVERY_MS, (dipMs * (1 - d / limit)) / DIP_BUDGET);
}

/** The state as JSON keeps it: no key holds undefined (a saved state must equal itself read back). */
export function tidy(ll: LoadLatency): LoadLatency {
  return Object.fromEntries(Object.entries(ll).filter(([, v]) => v !== undefined)) as unknown as LoadLatency;
}
