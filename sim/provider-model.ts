/**
 * The provider as it really behaves, which no controller can see directly.
 *
 * Healthy call: latency = clip(median(t) × e^(σ z), 5 ms, 70 s), z ~ N(0, 1)
 *   (log-normal: a heavy right tail), or slow.ms with p = slow.share when the
 *   spec has a slow share (the chaos worker's shape); it fails with p = errorShare,
 *   is throttled with p = throttleShare (a provider that answers 429 at any load).
 * Overload: n = calls in flight at the provider including this one, C = capacity(t).
 *   When n > C, with excess = 1 − C/n:
 *     throttled (a fast 429)  with p = throttleShare × excess
 *     error                   with p = overload errorShare × excess
 *     otherwise served, latency × (n/C)^latencyExponent (it queues), still clipped to 70 s
 * Down (every call fails): an outage of mode "error" (a fast 503), an outage
 *   of mode "timeout" (the call hangs until the worker gives up), a closed
 *   access or maintenance window (the catalog's windows, via runtime/windows),
 *   or, when enforced, the provider day's dailyRequestLimit used up (a 429).
 * A call lasting longer than the worker's timeout is a timeout at that timeout.
 * Waste: a call started while the provider is down or n > C.
 */
import type { Provider } from "../runtime/catalog/provider";
import type { Outcome } from "../runtime/controller/types";
import { providerDay, windowStatus } from "../runtime/windows/clock";
import { WINDOW_CLOSED, type PauseReason } from "../runtime/windows/closed-because";
import { valueAt, type TimeProfile } from "./time-profile";
import { normal, type Random } from "./rng";
import type { Outage } from "./simulation-scenario";

export const LATENCY_MIN_MS = 5;
export const LATENCY_MAX_MS = 70_000;
/** How fast a provider answers "no" (throttle, 503): median and spread of a log-normal. */
const REFUSAL_MEDIAN_MS = 40;
const REFUSAL_SIGMA = 0.5;
const MINUTE_MS = 60_000;

export interface ProviderModelSpec {
  capacity: TimeProfile;
  latency: { medianMs: TimeProfile; sigma: number; slow?: { share: number; ms: number } };
  errorShare: number;
  throttleShare: number;
  overload: { throttleShare: number; errorShare: number; latencyExponent: number };
  outages: readonly Outage[];
  enforceDailyLimit: boolean;
}

/** Why the modelled provider refuses a call: an outage of the scenario, or a rule of the pipeline's vocabulary (closed-because.ts). */
export const DOWN_REASONS = ["outage", WINDOW_CLOSED.MAINTENANCE, WINDOW_CLOSED.OUTSIDE_WINDOW, "daily-limit"] as const satisfies readonly (PauseReason | "outage")[];
export type DownReason = (typeof DOWN_REASONS)[number];

export interface ProviderCall {
  recordId: string;
  startedAt: number;
  /** How long the provider holds the call (the worker's timeout when it hangs). */
  latencyMs: number;
  outcome: Outcome;
  reason?: string;
  /** Calls in flight at the provider when this one started, itself included. */
  inFlight: number;
  capacity: number;
  down: DownReason | null;
  wasted: boolean;
}

export function clipLatency(ms: number): number {
  return Math.min(LATENCY_MAX_MS, Math.max(LATENCY_MIN_MS, ms));
}

export class ProviderModel {
  private inFlightNow = 0;
  private readonly workerTimeoutMs: number;
  private window: { open: boolean; reason: DownReason; until: number } = { open: true, reason: "outside-window", until: -Infinity };
  private readonly dayCalls = new Map<string, number>();
  private readonly fetched = new Map<string, number>();

  constructor(
    readonly spec: ProviderModelSpec,
    readonly provider: Provider,
    readonly origin: number,
    private readonly random: Random,
  ) {
    this.workerTimeoutMs = provider.worker.timeoutSeconds * 1000;
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  capacityAt(at: number): number {
    return valueAt(this.spec.capacity, (at - this.origin) / MINUTE_MS);
  }

  medianLatencyAt(at: number): number {
    return valueAt(this.spec.latency.medianMs, (at - this.origin) / MINUTE_MS);
  }

  outageAt(at: number): Outage | undefined {
    const minute = (at - this.origin) / MINUTE_MS;
    return this.spec.outages.find((o) => o.fromMinute <= minute && minute < o.toMinute);
  }

  /** Why every call fails at `at`, or null while the provider works (possibly overloaded). */
  downAt(at: number): DownReason | null {
    if (this.outageAt(at)) return "outage";
    const window = this.windowAt(at);
    if (!window.open) return window.reason;
    const limit = this.provider.dailyRequestLimit;
    if (this.spec.enforceDailyLimit && limit !== undefined && (this.dayCalls.get(this.dayAt(at)) ?? 0) >= limit) return "daily-limit";
    return null;
  }

  /** Records fetched successfully more than once. */
  duplicates(): number {
    let n = 0;
    for (const count of this.fetched.values()) if (count > 1) n++;
    return n;
  }

  /** Starts a call: decides its latency and outcome now, from the state of the provider at this instant. */
  start(at: number, recordId: string): ProviderCall {
    const down = this.downAt(at);
    const day = this.dayAt(at);
    this.dayCalls.set(day, (this.dayCalls.get(day) ?? 0) + 1);
    this.inFlightNow++;
    const inFlight = this.inFlightNow;
    const capacity = this.capacityAt(at);
    const call = (latencyMs: number, outcome: Outcome, reason?: string): ProviderCall => {
      const timedOut = latencyMs > this.workerTimeoutMs;
      const final: Outcome = timedOut ? "timeout" : outcome;
      if (final === "ok") this.fetched.set(recordId, (this.fetched.get(recordId) ?? 0) + 1);
      return {
        recordId,
        startedAt: at,
        latencyMs: timedOut ? this.workerTimeoutMs : latencyMs,
        outcome: final,
        ...(final === "ok" ? {} : { reason: timedOut ? `no answer within ${this.workerTimeoutMs} ms` : reason }),
        inFlight,
        capacity,
        down,
        wasted: down !== null || inFlight > capacity,
      };
    };

    if (down === "outage" && this.outageAt(at)!.mode === "timeout") return call(Infinity, "timeout", "provider hangs");
    if (down === "daily-limit") return call(this.refusalLatency(), "throttled", "429 daily quota used up");
    if (down !== null) return call(this.refusalLatency(), "error", `503 provider down (${down})`);

    const slow = this.spec.latency.slow;
    const lognormal = this.medianLatencyAt(at) * Math.exp(this.spec.latency.sigma * normal(this.random));
    const base = slow && this.random() < slow.share ? slow.ms : lognormal;
    const u = this.random();
    if (inFlight > capacity) {
      const { throttleShare, errorShare, latencyExponent } = this.spec.overload;
      const excess = 1 - capacity / inFlight;
      if (u < throttleShare * excess) return call(this.refusalLatency(), "throttled", "429 too many concurrent calls");
      const slowed = clipLatency(base * (inFlight / capacity) ** latencyExponent);
      if (u < (throttleShare + errorShare) * excess) return call(slowed, "error", "500 overloaded");
      return call(slowed, "ok");
    }
    if (u < this.spec.errorShare) return call(clipLatency(base), "error", "500 transient");
    if (u < this.spec.errorShare + this.spec.throttleShare) return call(this.refusalLatency(), "throttled", "429 throttled at any load");
    return call(clipLatency(base), "ok");
  }

  finish(call: ProviderCall): void {
    void call;
    this.inFlightNow--;
  }

  private refusalLatency(): number {
    return clipLatency(REFUSAL_MEDIAN_MS * Math.exp(REFUSAL_SIGMA * normal(this.random)));
  }

  /** The window status, cached until its next boundary. */
  private windowAt(at: number): { open: boolean; reason: DownReason } {
    if (at >= this.window.until || at < this.window.until - 8 * 24 * 3_600_000) {
      const s = windowStatus(this.provider, at);
      if (s.open) this.window = { open: true, reason: "outside-window", until: s.closesAt ?? Infinity };
      else this.window = { open: false, reason: s.reason, until: s.opensAt ?? Infinity };
    }
    return this.window;
  }

  private dayAt(at: number): string {
    return providerDay(this.provider.timezone, at);
  }
}
