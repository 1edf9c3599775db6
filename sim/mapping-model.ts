/**
 * The Kinesis event source mapping's data plane, in virtual time, following
 * the rules the project's Lambda emulator implements (local/lambda-emulator:
 * `nextStep` for checkpoints and retries, `readBatchResponse` for
 * ReportBatchItemFailures, `expiredPrefix` for MaximumRecordAgeInSeconds):
 *
 *  - one poller per lane (shard × parallelization slot), one batch in flight each;
 *  - before each batch the poller reads the control plane's EFFECTIVE settings
 *    (updates land asynchronously, see mapping-control.ts); while disabled it
 *    keeps its checkpoint and looks again every pollIntervalMs;
 *  - a batch = up to min(batchSize, what a bisection owes) records after the
 *    checkpoint that are already in the stream;
 *  - success → checkpoint past the batch, next batch after batchGapMs
 *    (GetRecords allows 5 reads per shard per second);
 *  - batchItemFailures → checkpoint before the lowest failed sequence number
 *    and re-send from it (successes after it included), after pollIntervalMs;
 *  - the function threw, overran its timeout or answered malformed → failed:
 *    bisect or retry from the checkpoint; past MaximumRetryAttempts the
 *    records are discarded (dropped: the ledger never sees them again).
 */
import { readBatchResponse } from "../local/lambda-emulator/batch-response";
import { expiredPrefix, FRESH_RETRY_STATE, nextStep, type DeliveryOutcome, type RetryPolicy, type RetryState } from "../local/lambda-emulator/shard-retry";
import type { KinesisBatchEvent } from "../runtime/ventilator/records";
import type { EventLoop } from "./event-loop";
import type { SimControlPlane } from "./mapping-control";
import type { Recorder } from "./recorder";
import type { SimRecord, SimStream } from "./stream";

export interface MappingTimings {
  pollIntervalMs: number;
  batchGapMs: number;
  /** The ventilator function's timeout. */
  functionTimeoutMs: number;
}

export interface MappingPolicy extends RetryPolicy {
  maximumRecordAgeInSeconds: number;
}

/** Invokes the ventilator with a batch; resolves to its answer, rejects when it throws. */
export type BatchHandler = (event: KinesisBatchEvent, deadline: number) => Promise<unknown>;

interface Lane {
  index: number;
  records: SimRecord[];
  /** Index of the next record to deliver. */
  checkpoint: number;
  retry: RetryState;
}

export interface MappingStats {
  batches: number;
  redeliveries: number;
  failedInvocations: number;
  discarded: number;
}

export class SimEventSourceMapping {
  private readonly lanes: Lane[];
  private stopped = false;
  readonly stats: MappingStats = { batches: 0, redeliveries: 0, failedInvocations: 0, discarded: 0 };

  constructor(
    private readonly loop: EventLoop,
    stream: SimStream,
    private readonly plane: SimControlPlane,
    private readonly policy: MappingPolicy,
    private readonly timings: MappingTimings,
    private readonly handler: BatchHandler,
    private readonly recorder: Recorder,
  ) {
    this.lanes = stream.lanes.map((records, index) => ({ index, records, checkpoint: 0, retry: FRESH_RETRY_STATE }));
  }

  start(): void {
    for (const lane of this.lanes) this.loop.after(0, () => this.poll(lane));
  }

  stop(): void {
    this.stopped = true;
  }

  /** Records not yet past any lane's checkpoint. */
  get unconsumed(): number {
    return this.lanes.reduce((n, l) => n + l.records.length - l.checkpoint, 0);
  }

  private later(lane: Lane, ms: number): void {
    if (!this.stopped) this.loop.after(ms, () => this.poll(lane));
  }

  private poll(lane: Lane): void {
    if (this.stopped) return;
    const settings = this.plane.effective;
    if (!settings.enabled) return this.later(lane, this.timings.pollIntervalMs);
    const now = this.loop.now;

    let available = 0;
    const cap = Math.min(settings.batchSize, lane.retry.pendingSizes[0] ?? Number.POSITIVE_INFINITY);
    while (available < cap && lane.checkpoint + available < lane.records.length && lane.records[lane.checkpoint + available]!.enqueuedAt <= now) available++;
    if (available === 0) return this.later(lane, this.timings.pollIntervalMs);

    const candidates = lane.records.slice(lane.checkpoint, lane.checkpoint + available);
    const expired = expiredPrefix(candidates.map((r) => r.enqueuedAt), now, this.policy.maximumRecordAgeInSeconds);
    if (expired > 0) {
      this.discard(candidates.slice(0, expired));
      lane.checkpoint += expired;
      lane.retry = FRESH_RETRY_STATE;
      return this.later(lane, 0);
    }

    const batch = candidates;
    this.stats.batches++;
    if (lane.retry.attempts > 0) this.stats.redeliveries++;
    const deadline = now + this.timings.functionTimeoutMs;
    const event: KinesisBatchEvent = { Records: batch.map((r) => r.event) };
    this.handler(event, deadline).then(
      (payload) => this.settle(lane, batch, this.loop.now > deadline ? { kind: "failed" } : this.verdict(payload, batch)),
      () => {
        this.stats.failedInvocations++;
        this.settle(lane, batch, { kind: "failed" });
      },
    );
  }

  private verdict(payload: unknown, batch: SimRecord[]): DeliveryOutcome {
    const v = readBatchResponse(payload, batch.map((r) => r.sequenceNumber));
    if (v.kind === "malformed") return { kind: "failed" };
    return v;
  }

  private settle(lane: Lane, batch: SimRecord[], outcome: DeliveryOutcome): void {
    const step = nextStep(outcome, batch.length, lane.retry, this.policy);
    lane.retry = step.retry;
    switch (step.type) {
      case "advance":
        lane.checkpoint += step.through + 1;
        return this.later(lane, this.timings.batchGapMs);
      case "retry":
        if (step.through !== null) lane.checkpoint += step.through + 1;
        return this.later(lane, this.timings.pollIntervalMs);
      case "discard":
        this.discard(batch.slice(step.from, step.through + 1));
        lane.checkpoint += step.through + 1;
        return this.later(lane, this.timings.pollIntervalMs);
    }
  }

  private discard(records: SimRecord[]): void {
    for (const r of records) this.recorder.drop(r.id);
    this.stats.discarded += records.length;
  }
}
