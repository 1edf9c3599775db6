/**
 * The bound no controller can beat (Little's law): with C calls in flight and
 * a mean latency L, at most C / L calls per second complete.
 *
 *   rate(t) = 0 while the provider is down (outage, closed window) or the
 *             oracle's own calls this provider day reached dailyRequestLimit
 *           = min(C(t), maxConcurrency) / L(t) calls/s otherwise
 *   successes(t) = rate(t) × (1 − errorShare − throttleShare)
 *   with a slow share s of calls taking slow.ms: L(t) = (1 − s) × L(t) + s × clip(slow.ms)
 *   L(t) = E[clip(X, 5 ms, 70 s)], X log-normal with median m(t) and shape σ:
 *        = a Φ(α) + e^(μ + σ²/2) (Φ(β − σ) − Φ(α − σ)) + b (1 − Φ(β)),
 *          μ = ln m, α = (ln a − μ)/σ, β = (ln b − μ)/σ, a = 5, b = 70 000
 *
 * The oracle knows the true capacity and never overloads, so its calls are
 * never slowed. It is integrated on a 1 s grid from the run's start, twice:
 * `successesBetween` without the daily limit (what was possible at any instant
 * the run was allowed to call: metrics exclude the time a run spent paused on
 * its own spent budget), and `completionTime` as a run of its own that counts
 * its calls against the daily limit (budget back at each provider-day start).
 */
import type { Provider } from "../runtime/catalog/provider";
import { providerDayEnd, windowStatus } from "../runtime/windows/clock";
import { valueAt } from "./time-profile";
import { LATENCY_MAX_MS, LATENCY_MIN_MS, type ProviderModelSpec } from "./provider-model";

const STEP_MS = 1_000;
const MINUTE_MS = 60_000;

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Mean of a log-normal latency (median, σ) clipped to [5 ms, 70 s]. */
export function meanClippedLatency(medianMs: number, sigma: number): number {
  const a = LATENCY_MIN_MS;
  const b = LATENCY_MAX_MS;
  if (sigma === 0) return Math.min(b, Math.max(a, medianMs));
  const mu = Math.log(medianMs);
  const alpha = (Math.log(a) - mu) / sigma;
  const beta = (Math.log(b) - mu) / sigma;
  return a * normalCdf(alpha) + Math.exp(mu + (sigma * sigma) / 2) * (normalCdf(beta - sigma) - normalCdf(alpha - sigma)) + b * (1 - normalCdf(beta));
}

/** Spans [start, end) during which the provider's windows allow calls, within [from, to). */
export function openSpans(provider: Provider, from: number, to: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let t = from;
  while (t < to) {
    const s = windowStatus(provider, t);
    if (s.open) {
      const end = Math.min(to, s.closesAt ?? to);
      spans.push({ start: t, end });
      t = end;
    } else {
      if (s.opensAt === null) break;
      t = s.opensAt;
    }
  }
  return spans;
}

export class Oracle {
  /** possible[i]: successful calls possible from the start to start + i seconds, daily limit aside. */
  private readonly possible: Float64Array;
  /** own[i]: the oracle's own successful calls, within its daily budget. */
  private readonly own: Float64Array;
  /** Provider-day starts at which the oracle's exhausted daily budget came back. */
  readonly budgetResets: number[] = [];
  readonly windowOpenings: number[] = [];

  constructor(
    readonly spec: ProviderModelSpec,
    readonly provider: Provider,
    readonly start: number,
    readonly end: number,
  ) {
    const steps = Math.ceil((end - start) / STEP_MS);
    this.possible = new Float64Array(steps + 1);
    this.own = new Float64Array(steps + 1);
    const spans = openSpans(provider, start, start + steps * STEP_MS);
    this.windowOpenings = spans.map((s) => s.start).filter((t) => t > start && t < end);
    const limit = spec.enforceDailyLimit ? provider.dailyRequestLimit : undefined;
    let nextDay = providerDayEnd(provider.timezone, start);
    let used = 0;
    let exhausted = false;
    let span = 0;
    for (let i = 0; i < steps; i++) {
      const t = start + i * STEP_MS + STEP_MS / 2;
      if (t >= nextDay) {
        if (exhausted) this.budgetResets.push(nextDay);
        nextDay = providerDayEnd(provider.timezone, t);
        used = 0;
        exhausted = false;
      }
      while (span < spans.length && spans[span]!.end <= t) span++;
      const open = span < spans.length && spans[span]!.start <= t;
      const calls = open && !this.outageAt(t) ? this.rateAt(t) * (STEP_MS / 1000) : 0;
      const served = Math.max(0, 1 - spec.errorShare - spec.throttleShare);
      this.possible[i + 1] = this.possible[i]! + calls * served;
      let ownCalls = calls;
      if (limit !== undefined) {
        ownCalls = Math.min(calls, limit - used);
        used += ownCalls;
        if (used >= limit) exhausted = true;
      }
      this.own[i + 1] = this.own[i]! + ownCalls * served;
    }
  }

  /** Calls per second the oracle makes at `t` while allowed (before the daily budget). */
  rateAt(t: number): number {
    const minute = (t - this.start) / MINUTE_MS;
    const inFlight = Math.min(valueAt(this.spec.capacity, minute), this.provider.maxConcurrency);
    const slow = this.spec.latency.slow;
    const lognormal = meanClippedLatency(valueAt(this.spec.latency.medianMs, minute), this.spec.latency.sigma);
    const mean = slow ? (1 - slow.share) * lognormal + slow.share * Math.min(LATENCY_MAX_MS, Math.max(LATENCY_MIN_MS, slow.ms)) : lognormal;
    return inFlight / (mean / 1000);
  }

  /** Successful calls possible in [a, b) (windows and outages applied, the daily limit not). */
  successesBetween(a: number, b: number): number {
    return this.at(this.possible, b) - this.at(this.possible, a);
  }

  /** Instant the oracle finishes `records` successful calls (all available from the start), or null past the end. */
  completionTime(records: number): number | null {
    const c = this.own;
    if (c[c.length - 1]! < records) return null;
    let lo = 0;
    let hi = c.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! < records) lo = mid;
      else hi = mid;
    }
    const gained = c[hi]! - c[lo]!;
    return this.start + (lo + (gained > 0 ? (records - c[lo]!) / gained : 1)) * STEP_MS;
  }

  private at(cumulative: Float64Array, t: number): number {
    const x = Math.min(Math.max(0, (t - this.start) / STEP_MS), cumulative.length - 1);
    const i = Math.floor(x);
    const a = cumulative[i]!;
    const b = cumulative[Math.min(i + 1, cumulative.length - 1)]!;
    return a + (b - a) * (x - i);
  }

  private outageAt(t: number): boolean {
    const minute = (t - this.start) / MINUTE_MS;
    return this.spec.outages.some((o) => o.fromMinute <= minute && minute < o.toMinute);
  }
}

