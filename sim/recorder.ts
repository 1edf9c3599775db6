/**
 * What a run did, observed from outside the code under simulation: provider
 * calls (from the simulated worker), ledger writes (the memory store's write
 * hook: record completions and every saved controller state), the
 * ventilator's own log lines, and mapping drops. Metrics and the report read
 * only this.
 */
import type { AppliedWrite } from "../runtime/ledger/memory-store";
import type { ControllerState } from "../runtime/controller/types";
import { BREAKER } from "../runtime/controller/types";
import { LEDGER_STATUS } from "../runtime/ledger/types";
import { PIPELINE_KEY } from "../runtime/ledger/layout";
import type { ProviderCall } from "./provider-model";

export const BUCKET_MS = 60_000;
/**
 * An open is false when no call that started while the provider was down or
 * over its true capacity ended within this long before it: the evidence
 * could only have come from a healthy provider's own variance.
 */
export const FALSE_OPEN_LOOKBACK_MS = 15 * 60_000;

export interface Bucket {
  ok: number;
  error: number;
  throttled: number;
  timeout: number;
  wasted: number;
  started: number;
  /** Largest number of calls in flight at the provider seen in the bucket. */
  maxInFlight: number;
  latencies: number[];
}

export interface ControllerPoint {
  at: number;
  limit: number;
  mappingBatchSize: number;
  breaker: ControllerState["breaker"]["status"];
  paused: string | null;
}

export interface BatchPoint {
  at: number;
  size: number;
  limitUsed: number;
  peakInFlight: number;
  handedBack: number;
  action: string;
}

export class Recorder {
  readonly buckets: Bucket[] = [];
  /** Completion instants of successful calls, in time order. */
  readonly successTimes: number[] = [];
  readonly totals = { calls: 0, ok: 0, error: 0, throttled: 0, timeout: 0, wasted: 0 };
  readonly controller: ControllerPoint[] = [];
  readonly batches: BatchPoint[] = [];
  readonly schedule: { at: number; outcome: string }[] = [];
  /** First final status of each record (done or dead) and when. */
  readonly finished = new Map<string, { status: "done" | "dead"; at: number }>();
  readonly dropped = new Set<string>();
  /** Records finished or dropped: the run is over once every record is. */
  settled = 0;
  /** Ventilator invocations that threw or overran the function timeout (should stay 0). */
  readonly ventilatorFailures: { at: number; reason: string }[] = [];
  /** End instants of calls that started while the provider was down or over its capacity, in time order. */
  readonly unhealthyCallEnds: number[] = [];
  /** Instants the breaker opened (from closed or half-open), and whether the provider had been healthy for FALSE_OPEN_LOOKBACK_MS. */
  readonly opens: { at: number; healthy: boolean }[] = [];

  constructor(
    readonly origin: number,
    private readonly now: () => number,
  ) {}

  bucket(at: number): Bucket {
    const i = Math.max(0, Math.floor((at - this.origin) / BUCKET_MS));
    while (this.buckets.length <= i) this.buckets.push({ ok: 0, error: 0, throttled: 0, timeout: 0, wasted: 0, started: 0, maxInFlight: 0, latencies: [] });
    return this.buckets[i]!;
  }

  callStarted(call: ProviderCall): void {
    this.totals.calls++;
    const b = this.bucket(call.startedAt);
    b.started++;
    b.maxInFlight = Math.max(b.maxInFlight, call.inFlight);
    if (call.wasted) {
      this.totals.wasted++;
      b.wasted++;
    }
  }

  callEnded(call: ProviderCall, at: number): void {
    this.totals[call.outcome]++;
    const b = this.bucket(at);
    b[call.outcome]++;
    b.latencies.push(call.latencyMs);
    if (call.outcome === "ok") this.successTimes.push(at);
    if (call.wasted) this.unhealthyCallEnds.push(at);
  }

  /** The memory ledger store's write hook. */
  onWrite = (write: AppliedWrite): void => {
    const after = write.after;
    if (!after) return;
    if (write.key.pk.startsWith("R#")) {
      const status = after.status;
      if ((status === LEDGER_STATUS.DONE || status === LEDGER_STATUS.DEAD) && write.before?.status !== status) {
        const id = after.recordId as string;
        if (!this.finished.has(id)) {
          this.finished.set(id, { status, at: this.now() });
          if (!this.dropped.has(id)) this.settled++;
        }
      }
      return;
    }
    if (write.key.pk === PIPELINE_KEY.pk && write.key.sk === PIPELINE_KEY.sk && typeof after.state === "string") {
      const state = JSON.parse(after.state) as { controller: ControllerState; pause: { reason: string } | null };
      const c = state.controller;
      const before = this.controller.at(-1)?.breaker ?? BREAKER.CLOSED;
      if (c.breaker.status === BREAKER.OPEN && before !== BREAKER.OPEN) {
        const at = this.now();
        const lastUnhealthy = this.unhealthyCallEnds.at(-1);
        this.opens.push({ at, healthy: lastUnhealthy === undefined || at - lastUnhealthy > FALSE_OPEN_LOOKBACK_MS });
      }
      this.controller.push({ at: this.now(), limit: c.limit, mappingBatchSize: c.mappingBatchSize, breaker: c.breaker.status, paused: state.pause?.reason ?? null });
    }
  };

  /** The ventilator's log lines (EMF): batches and schedule ticks. */
  log = (line: Record<string, unknown>): void => {
    if (line.message === "batch") {
      this.batches.push({
        at: this.now(),
        size: Number(line.BatchSize),
        limitUsed: Number(line.limitUsed),
        peakInFlight: Number(line.InFlight),
        handedBack: Number(line.HandedBack),
        action: String(line.action),
      });
    } else if (line.message === "schedule") {
      this.schedule.push({ at: this.now(), outcome: String(line.outcome) });
    }
  };

  drop(recordId: string): void {
    if (!this.dropped.has(recordId) && !this.finished.has(recordId)) this.settled++;
    this.dropped.add(recordId);
  }

  breakerOpenedAt(from: number): number | null {
    const hit = this.controller.find((p) => p.at >= from && (p.breaker === BREAKER.OPEN || p.limit <= 1));
    return hit ? hit.at : null;
  }
}
