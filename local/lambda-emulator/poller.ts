/**
 * The polling half of a Kinesis event source mapping, reading kinesis-mock
 * with the production SDK client and invoking through the function registry
 * (so timeouts, throttles and the invocation log apply).
 *
 * Per shard, one loop and so one batch in flight: read up to
 * min(BatchSize, the size a bisection owes) records after the checkpoint
 * (gathering for up to MaximumBatchingWindowInSeconds when fewer are there),
 * drop and report records older than MaximumRecordAgeInSeconds, invoke,
 * then follow `nextStep` (shard-retry.ts). The mapping's `effective` settings
 * are read before every batch, so an update applies from the next batch on;
 * a disabled mapping keeps its checkpoints and resumes from them.
 *
 * Not emulated: ParallelizationFactor > 1, resharding after start, AT_TIMESTAMP,
 * tumbling windows, filter criteria.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from "@aws-sdk/client-kinesis";
import type { Clock } from "../../runtime/ventilator/ports";
import { LambdaApiError, LAMBDA_ERROR } from "./api-errors";
import { executionRoleArn, functionArn, type Place } from "./arn";
import { readBatchResponse } from "./batch-response";
import type { FunctionRegistry } from "./functions";
import { describeBatch, kinesisEvent, type StreamRecord } from "./kinesis-event";
import type { EventSourceMapping } from "./event-source-mapping";
import { REPORT_BATCH_ITEM_FAILURES, type MappingSettings } from "./mapping-settings";
import { onFailureRecord, type OnFailureRecord } from "./on-failure";
import { DISCARD_CONDITION, expiredPrefix, FRESH_RETRY_STATE, nextStep, type DeliveryOutcome, type DiscardCondition, type RetryState } from "./shard-retry";
import { WakeUp } from "./wake-up";

export interface PollerOptions {
  mapping: EventSourceMapping;
  functions: FunctionRegistry;
  kinesis: KinesisClient;
  clock: Clock;
  place: Place;
}

/** One delivery of a batch to the function. */
export interface DeliveredBatch {
  shardId: string;
  size: number;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  /** The mapping's effective BatchSize when the batch was read. */
  batchSizeSetting: number;
  /** When the settings for this batch were taken and its read began. */
  readAt: number;
  /** When the invocation began and ended. */
  startedAt: number;
  endedAt: number;
  outcome: DeliveryOutcome["kind"];
  /** Failed deliveries of these records before this one (0 = first try). */
  attempt: number;
}

export interface ShardProgress {
  shardId: string;
  /** Sequence number of the last record done with (processed or discarded); null before the first. */
  checkpoint: string | null;
  batchesDelivered: number;
  /** Records the checkpoint moved past after successful processing. */
  recordsProcessed: number;
  /** Deliveries that failed and led to a re-send (function errors, partial failures, malformed answers). */
  retries: number;
  throttles: number;
  recordsDiscarded: number;
  /** Consecutive failed invocations of the records at the head of the shard. */
  attempts: number;
  inFlight: boolean;
  /** Turns of the shard's loop begun: reads, and looks at a disabled mapping (what "the poller looked and found nothing" waits on). */
  polls: number;
  /** Records read and held while MaximumBatchingWindowInSeconds gathers more (0 otherwise). */
  buffered: number;
  /** The shard ended (closed by resharding) and every record was handled. */
  finished: boolean;
}

type Position = { after: string } | { at: string } | { start: "TRIM_HORIZON" | "LATEST" };

interface ShardRuntime {
  progress: ShardProgress;
  position: Position;
  /** An iterator positioned exactly at `position`, when we hold one (saves a GetShardIterator). */
  iterator: string | undefined;
  retry: RetryState;
}

export class KinesisPoller {
  private readonly mapping: EventSourceMapping;
  private readonly functions: FunctionRegistry;
  private readonly kinesis: KinesisClient;
  private readonly clock: Clock;
  private readonly place: Place;
  private readonly wake = new WakeUp();
  private readonly shardRuntimes = new Map<string, ShardRuntime>();
  private readonly delivered: DeliveredBatch[] = [];
  private readonly discarded: OnFailureRecord[] = [];
  private readonly problemLog: string[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;
  private unsubscribe: (() => void) | undefined;

  constructor(opts: PollerOptions) {
    this.mapping = opts.mapping;
    this.functions = opts.functions;
    this.kinesis = opts.kinesis;
    this.clock = opts.clock;
    this.place = opts.place;
  }

  get uuid(): string {
    return this.mapping.uuid;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    // An update taking effect (e.g. re-enabling) should not wait out a poll interval.
    this.unsubscribe = this.mapping.onSettled(() => this.wake.wakeAll());
    this.running = this.run();
  }

  /** Stops polling; resolves once every in-flight batch has been handled. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.wakeAll();
    this.unsubscribe?.();
    await this.running;
    this.running = undefined;
  }

  get shards(): ShardProgress[] {
    return [...this.shardRuntimes.values()].map((s) => ({ ...s.progress }));
  }

  shard(shardId: string): ShardProgress {
    const runtime = this.shardRuntimes.get(shardId);
    if (!runtime) throw new RangeError(`mapping ${this.uuid} has no shard ${shardId} (known: ${[...this.shardRuntimes.keys()].join(", ") || "none yet"})`);
    return { ...runtime.progress };
  }

  /** Every delivery so far, oldest first. */
  get batches(): readonly DeliveredBatch[] {
    return this.delivered;
  }

  /** What the on-failure destination received. */
  get onFailure(): readonly OnFailureRecord[] {
    return this.discarded;
  }

  /** Kinesis read problems and unexpected delivery errors (the poller retries both). */
  get problems(): readonly string[] {
    return this.problemLog;
  }

  private async run(): Promise<void> {
    const shardIds = await this.discoverShards();
    await Promise.all(shardIds.map((id) => this.runShard(this.shardRuntimes.get(id)!)));
  }

  private async discoverShards(): Promise<string[]> {
    while (!this.stopping) {
      try {
        const ids: string[] = [];
        let token: string | undefined;
        do {
          const out = await this.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.mapping.streamName }));
          for (const shard of out.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
          token = out.NextToken;
        } while (token);
        for (const id of ids) {
          this.shardRuntimes.set(id, {
            progress: { shardId: id, checkpoint: null, batchesDelivered: 0, recordsProcessed: 0, retries: 0, throttles: 0, recordsDiscarded: 0, attempts: 0, inFlight: false, polls: 0, buffered: 0, finished: false },
            position: { start: this.mapping.startingPosition },
            iterator: undefined,
            retry: FRESH_RETRY_STATE,
          });
        }
        return ids;
      } catch (error) {
        this.problem(`ListShards ${this.mapping.streamName}`, error);
        await this.wake.sleep(this.mapping.pollIntervalMs);
      }
    }
    return [];
  }

  private async runShard(shard: ShardRuntime): Promise<void> {
    while (!this.stopping && !shard.progress.finished) {
      shard.progress.polls++;
      const settings = this.mapping.effective;
      const readAt = this.clock.now();
      if (!settings.enabled) {
        await this.wake.sleep(this.mapping.pollIntervalMs);
        continue;
      }
      let records: StreamRecord[];
      let after: string | undefined;
      try {
        ({ records, after } = await this.read(shard, settings));
      } catch (error) {
        this.problem(`GetRecords ${shard.progress.shardId}`, error);
        shard.iterator = undefined;
        await this.wake.sleep(this.mapping.pollIntervalMs);
        continue;
      }
      if (records.length === 0) {
        if (after === undefined) shard.progress.finished = true;
        else await this.wake.sleep(this.mapping.pollIntervalMs);
        continue;
      }

      const expired = expiredPrefix(records.map((r) => r.arrivalMs), this.clock.now(), settings.maximumRecordAgeInSeconds);
      if (expired > 0) {
        this.discard(shard, records.slice(0, expired), DISCARD_CONDITION.RECORD_AGE, shard.retry.attempts, "", "", settings);
        shard.retry = FRESH_RETRY_STATE;
        shard.iterator = expired === records.length ? after : undefined;
        continue;
      }
      try {
        await this.deliver(shard, records, after, settings, readAt);
      } catch (error) {
        // A bug here must not kill the shard's loop silently: report it, re-read from the checkpoint.
        this.problem(`delivering to ${this.mapping.functionName} from ${shard.progress.shardId}`, error);
        shard.progress.inFlight = false;
        shard.iterator = undefined;
        await this.wake.sleep(this.mapping.pollIntervalMs);
      }
    }
  }

  /**
   * Reads the next batch from the shard's position. `after` is an iterator just
   * past the records read (undefined when the shard is closed and drained).
   */
  private async read(shard: ShardRuntime, settings: MappingSettings): Promise<{ records: StreamRecord[]; after: string | undefined }> {
    const limit = Math.min(settings.batchSize, shard.retry.pendingSizes[0] ?? Number.POSITIVE_INFINITY);
    const windowMs = settings.maximumBatchingWindowInSeconds * 1000;
    let iterator: string | undefined = shard.iterator ?? (await this.iteratorAt(shard));
    const records: StreamRecord[] = [];
    let firstSeenAt: number | undefined;
    while (iterator !== undefined) {
      const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit - records.length }));
      records.push(...(out.Records ?? []).map(toStreamRecord));
      iterator = out.NextShardIterator ?? undefined;
      if (records.length === 0 || records.length >= limit || windowMs === 0 || this.stopping) break;
      firstSeenAt ??= Date.now();
      const left = windowMs - (Date.now() - firstSeenAt);
      if (left <= 0) break;
      shard.progress.buffered = records.length;
      await this.wake.sleep(Math.min(left, this.mapping.pollIntervalMs));
    }
    shard.progress.buffered = 0;
    // With nothing read, the iterator still marks our position: keep it for the next poll.
    if (records.length === 0) shard.iterator = iterator;
    return { records, after: iterator };
  }

  private async iteratorAt(shard: ShardRuntime): Promise<string | undefined> {
    const p = shard.position;
    const where =
      "after" in p
        ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, StartingSequenceNumber: p.after }
        : "at" in p
          ? { ShardIteratorType: "AT_SEQUENCE_NUMBER" as const, StartingSequenceNumber: p.at }
          : { ShardIteratorType: p.start };
    const out = await this.kinesis.send(new GetShardIteratorCommand({ StreamName: this.mapping.streamName, ShardId: shard.progress.shardId, ...where }));
    return out.ShardIterator;
  }

  private async deliver(shard: ShardRuntime, records: StreamRecord[], after: string | undefined, settings: MappingSettings, readAt: number): Promise<void> {
    const { shardId } = shard.progress;
    const functionName = this.mapping.functionName;
    // A function whose environment runs on a shifted clock sees arrival times on that clock too.
    const shift = this.functions.clockOffsetOf(functionName);
    const event = kinesisEvent(shift === 0 ? records : records.map((r) => ({ ...r, arrivalMs: r.arrivalMs + shift })), {
      shardId,
      eventSourceArn: this.mapping.eventSourceArn,
      region: this.place.region,
      invokeIdentityArn: executionRoleArn(this.place, functionName),
    });
    const attempt = shard.retry.attempts;
    const startedAt = this.clock.now();
    shard.progress.inFlight = true;
    let outcome: DeliveryOutcome;
    let requestId = "";
    let functionError = "";
    try {
      const result = await this.functions.invoke(functionName, event, { source: "kinesis", summary: describeBatch(shardId, records) });
      requestId = result.requestId;
      if (result.functionError !== undefined) {
        functionError = result.functionError;
        outcome = { kind: "failed" };
      } else if (settings.functionResponseTypes.includes(REPORT_BATCH_ITEM_FAILURES)) {
        const verdict = readBatchResponse(result.payload, records.map((r) => r.sequenceNumber));
        outcome = verdict.kind === "malformed" ? { kind: "failed" } : verdict;
      } else {
        outcome = { kind: "success" };
      }
    } catch (error) {
      // Lambda could not invoke the function (throttled, gone): retried until the records expire.
      if (!(error instanceof LambdaApiError)) throw error;
      outcome = { kind: "throttled" };
      this.mapping.lastProcessingResult = error.type === LAMBDA_ERROR.TOO_MANY_REQUESTS ? "PROBLEM: Function call throttled" : "PROBLEM: Function not found";
    } finally {
      shard.progress.inFlight = false;
    }
    const endedAt = this.clock.now();
    shard.progress.batchesDelivered++;
    const first = records[0]!;
    const last = records[records.length - 1]!;
    this.delivered.push({
      shardId,
      size: records.length,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      batchSizeSetting: settings.batchSize,
      readAt,
      startedAt,
      endedAt,
      outcome: outcome.kind,
      attempt,
    });

    const step = nextStep(outcome, records.length, shard.retry, settings);
    shard.retry = step.retry;
    shard.progress.attempts = step.retry.attempts;
    switch (step.type) {
      case "advance":
        this.mapping.lastProcessingResult = "OK";
        this.checkpoint(shard, records[step.through]!, records.length);
        shard.iterator = after;
        return;
      case "retry":
        if (outcome.kind === "throttled") shard.progress.throttles++;
        else {
          shard.progress.retries++;
          this.mapping.lastProcessingResult = outcome.kind === "partial" ? "OK" : "PROBLEM: Function call failed";
        }
        if (step.through !== null) this.checkpoint(shard, records[step.through]!, step.through + 1);
        else if (shard.progress.checkpoint === null) shard.position = { at: first.sequenceNumber };
        shard.iterator = undefined;
        // Lambda backs off before a retry; one poll interval keeps a failing shard from spinning.
        await this.wake.sleep(this.mapping.pollIntervalMs);
        return;
      case "discard":
        if (step.from > 0) this.checkpoint(shard, records[step.from - 1]!, step.from);
        this.discard(shard, records.slice(step.from, step.through + 1), step.condition, step.invokeCount, requestId, functionError || "Unhandled", settings);
        shard.iterator = after;
        return;
    }
  }

  private checkpoint(shard: ShardRuntime, record: StreamRecord, processed: number): void {
    shard.progress.checkpoint = record.sequenceNumber;
    shard.progress.recordsProcessed += processed;
    shard.position = { after: record.sequenceNumber };
  }

  private discard(
    shard: ShardRuntime,
    records: StreamRecord[],
    condition: DiscardCondition,
    invokeCount: number,
    requestId: string,
    functionError: string,
    settings: MappingSettings,
  ): void {
    const last = records[records.length - 1]!;
    this.discarded.push(
      onFailureRecord({
        records,
        shardId: shard.progress.shardId,
        streamArn: this.mapping.eventSourceArn,
        functionArn: functionArn(this.place, this.mapping.functionName),
        condition,
        invokeCount,
        lastRequestId: requestId,
        functionError,
        destination: settings.onFailureDestination,
        now: this.clock.now(),
      }),
    );
    shard.progress.recordsDiscarded += records.length;
    shard.progress.checkpoint = last.sequenceNumber;
    shard.position = { after: last.sequenceNumber };
  }

  private problem(what: string, error: unknown): void {
    if (this.problemLog.length < 1_000) this.problemLog.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

function toStreamRecord(r: _Record): StreamRecord {
  return {
    sequenceNumber: r.SequenceNumber ?? "",
    partitionKey: r.PartitionKey ?? "",
    data: r.Data ?? new Uint8Array(),
    arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  };
}
