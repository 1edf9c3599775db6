/**
 * What the calls say about the provider, as sequential tests that wait for
 * enough evidence instead of judging a fixed handful of calls. Each test is a
 * CUSUM of log-likelihood ratios between "normal for this provider" (H0) and
 * a named condition (H1), over the calls in the order they completed:
 *
 *   S ← max(0, S + ln(P(call | H1) / P(call | H0)))      fires when S ≥ h = ln(1 / α)
 *   a call "in" the condition adds ln(p1 / p0), any other adds ln((1 − p1) / (1 − p0))
 *
 * so one call moves S by a bounded step and a verdict needs as many calls as
 * the gap between p0 and p1 calls for: a slow or failed call among good ones
 * is never a verdict by itself, a provider failing every call is one within
 * a few calls. "down" weighs "most calls fail" against a provider failing
 * several times its usual share, not against its usual share: a run of
 * errors from an overloaded provider (which the other tests answer with a
 * decrease) must not read as an outage.
 *
 *   test       counts                      p0 (normal)                          p1 (condition)                       h
 *   down       error, timeout              d = min(0.5, max(3·f0, 0.1))         max(0.8, odds⁻¹(4·odds(d)))          ln 10⁵
 *   struggle   bad (failed, throttled, slow) b = max(b0, odds⁻¹(odds(τ)/2))   odds⁻¹(max(2·odds(τ), 4·odds(b)))    ln 10⁴
 *   throttle   throttled                   t0                                   max(0.1, odds⁻¹(4·odds(t0)))         ln 20
 *   errors     error, timeout              f0                                   max(3·f0, f0 + 0.05)                 ln 10⁴
 *
 *   τ = errorRateThreshold clamped to [0.02, 0.95] (the catalog's "share of bad calls that is too much");
 *   normal shares are taken within [0.001, 0.9], conditions within [0.001, 0.99];
 *   odds(p) = p / (1 − p). "struggle" fires around a bad share of τ whatever the provider's
 *   normal share is, unless that normal share is itself above τ / 2 in odds, then clearly above it.
 *
 * The baselines f0, t0, b0 are exponentially weighted shares of the provider's
 * own calls, learned from calls no test objected to, while neither "down" nor
 * "struggle" is past half its threshold (a provider that always has 3 % errors
 * or a slow tail is normal at 3 % or at its tail; an outage's first failures
 * must not teach it that failing is normal):
 *
 *   share ← share + w × (x − share),  w = 1 / min(n + PRIOR_CALLS, BASELINE_CALLS),  n = calls learned
 *   starting from the priors (f0 1 %, t0 0.2 %, b0 5 %), which weigh as PRIOR_CALLS calls, and
 *   floored there (a provider that never failed is not expected never to fail).
 *
 * Why CUSUMs and baselines: slowness or errors that do not depend on load
 * keep the same rate at any limit, so the baseline absorbs them and no test
 * fires; congestion raises a rate quickly and well above it. The tests say
 * "how sure"; what to do about it is the strategy's business.
 *
 * After a decrease the calls still in flight ran under the old limit: the
 * next `settle` completions (as many as that limit) move only "down", so one
 * overload is answered by one decrease, not by one per throttled straggler
 * (TCP's one reduction per window).
 */
import type { CallSample } from "./types";

export interface Evidence {
  /** Calls the baselines learned from. */
  learned: number;
  /** Baseline shares of failed (error, timeout), throttled and bad calls. */
  failShare: number;
  throttleShare: number;
  badShare: number;
  /** Completions still owed by the calls in flight at the last decrease; the load tests wait for them. */
  settle: number;
  /** CUSUM statistics, ≥ 0. */
  down: number;
  struggle: number;
  throttle: number;
  errors: number;
}

export const TESTS = ["down", "struggle", "throttle", "errors"] as const;
export type Test = (typeof TESTS)[number];

export const PRIORS = { failShare: 0.01, throttleShare: 0.002, badShare: 0.05 } as const;
/** Pseudo-calls the priors weigh as, so the first few calls do not make the baseline. */
export const PRIOR_CALLS = 100;
/** Memory of the baselines, in calls. */
export const BASELINE_CALLS = 500;
export const THRESHOLDS: Readonly<Record<Test, number>> = {
  down: Math.log(1e5),
  struggle: Math.log(1e4),
  throttle: Math.log(20),
  errors: Math.log(1e4),
};
/** The provider is down when it fails at least this share of calls. */
export const DOWN_SHARE = 0.8;


export function freshEvidence(): Evidence {
  return { learned: 0, ...PRIORS, settle: 0, down: 0, struggle: 0, throttle: 0, errors: 0 };
}

const odds = (p: number): number => p / (1 - p);
const fromOdds = (o: number): number => o / (1 + o);
const clampShare = (p: number): number => Math.min(0.99, Math.max(0.001, p));
/** A normal share past this says nothing a test could rise above. */
const clampNormal = (p: number): number => Math.min(0.9, clampShare(p));

export function isFailed(s: CallSample): boolean {
  return s.outcome === "error" || s.outcome === "timeout";
}

export function isBad(s: CallSample, latencyThresholdMs: number): boolean {
  return s.outcome !== "ok" || s.latencyMs > latencyThresholdMs;
}

/** (p0, p1) of each test for this evidence and errorRateThreshold τ. */
export function hypotheses(e: Evidence, errorRateThreshold: number): Record<Test, { p0: number; p1: number }> {
  const tau = Math.min(0.95, Math.max(0.02, errorRateThreshold));
  const f0 = clampNormal(e.failShare);
  const t0 = clampNormal(e.throttleShare);
  const b = clampNormal(Math.max(e.badShare, fromOdds(odds(tau) / 2)));
  const downFrom = Math.min(0.5, Math.max(3 * f0, 0.1));
  return {
    down: { p0: downFrom, p1: clampShare(Math.max(DOWN_SHARE, fromOdds(4 * odds(downFrom)))) },
    struggle: { p0: b, p1: clampShare(fromOdds(Math.max(2 * odds(tau), 4 * odds(b)))) },
    throttle: { p0: t0, p1: clampShare(Math.max(0.1, fromOdds(4 * odds(t0)))) },
    errors: { p0: f0, p1: clampShare(Math.max(3 * f0, f0 + 0.05)) },
  };
}

function step(hit: boolean, p0: number, p1: number): number {
  return hit ? Math.log(p1 / p0) : Math.log((1 - p1) / (1 - p0));
}

/** The four statistics after one more call (baselines unchanged). */
export function observe(e: Evidence, s: CallSample, settings: EvidenceSettings): Evidence {
  const h = hypotheses(e, settings.errorRateThreshold);
  const failed = isFailed(s);
  const bad = isBad(s, settings.latencyThresholdMs);
  const throttled = s.outcome === "throttled";
  const down = Math.max(0, e.down + step(failed, h.down.p0, h.down.p1));
  if (e.settle > 0) return { ...e, settle: e.settle - 1, down };
  return {
    ...e,
    down,
    struggle: Math.max(0, e.struggle + step(bad, h.struggle.p0, h.struggle.p1)),
    throttle: Math.max(0, e.throttle + step(throttled, h.throttle.p0, h.throttle.p1)),
    errors: Math.max(0, e.errors + step(failed, h.errors.p0, h.errors.p1)),
  };
}

/** Whether the evidence is calm enough to learn from: neither an outage nor struggling is suspected. */
export function calm(e: Evidence): boolean {
  return e.down < THRESHOLDS.down / 2 && e.struggle < THRESHOLDS.struggle / 2;
}

/** The baselines after learning from calls no test objected to. */
export function learn(e: Evidence, samples: readonly CallSample[], latencyThresholdMs: number): Evidence {
  let { learned, failShare, throttleShare, badShare } = e;
  for (const s of samples) {
    const w = 1 / Math.min(learned + PRIOR_CALLS + 1, BASELINE_CALLS);
    failShare += w * ((isFailed(s) ? 1 : 0) - failShare);
    throttleShare += w * ((s.outcome === "throttled" ? 1 : 0) - throttleShare);
    badShare += w * ((isBad(s, latencyThresholdMs) ? 1 : 0) - badShare);
    learned++;
  }
  return {
    ...e,
    learned,
    failShare: Math.max(PRIORS.failShare, failShare),
    throttleShare: Math.max(PRIORS.throttleShare, throttleShare),
    badShare: Math.max(PRIORS.badShare, badShare),
  };
}

export type EvidenceSettings = { latencyThresholdMs: number; errorRateThreshold: number };

/** The first test that fires, in order of severity, or null. */
export function firing(e: Evidence): Test | null {
  return TESTS.find((t) => e[t] >= THRESHOLDS[t]) ?? null;
}

/**
 * Feeds calls one by one and stops at the first that makes a test fire:
 * the calls after it ran under a limit that is about to change.
 */
export function weigh(e: Evidence, samples: readonly CallSample[], settings: EvidenceSettings): { evidence: Evidence; fired: Test | null; used: number } {
  let evidence = e;
  for (let i = 0; i < samples.length; i++) {
    evidence = observe(evidence, samples[i]!, settings);
    const fired = firing(evidence);
    if (fired) return { evidence, fired, used: i + 1 };
  }
  return { evidence, fired: null, used: samples.length };
}

/** The statistics after the breaker moved: everything that led to it has been acted on. */
export function acted(e: Evidence): Evidence {
  return { ...e, down: 0, struggle: 0, throttle: 0, errors: 0, settle: 0 };
}

/**
 * The statistics after a decrease from a fan-out of `inFlight`: the load tests
 * have been answered and wait for those calls to complete; "down" has not
 * (an outage's first errors often fire "errors" a call before "down": the
 * decrease must not hide the outage).
 */
export function actedOnLoad(e: Evidence, inFlight: number): Evidence {
  return { ...e, struggle: 0, throttle: 0, errors: 0, settle: inFlight };
}
