/**
 * The polling half of a Kinesis event source mapping, reading kinesis-mock
 * with the production SDK client and invoking through the function registry
 * (so timeouts, throttles and the invocation log apply).
 *
 * Per shard, one loop and so one batch in flight: read the next batch after
 * the checkpoint (shard-reader.ts), drop and report records older than
 * MaximumRecordAgeInSeconds, invoke (batch-invocation.ts), then follow
 * `nextStep` (shard-retry.ts). The mapping's `effective` settings
 * are read before every batch, so an update applies from the next batch on;
 * a disabled mapping keeps its checkpoints and resumes from them.
 *
 * Not emulated: ParallelizationFactor > 1, resharding after start, AT_TIMESTAMP,
 * tumbling windows, filter criteria.
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Clock } from "../../runtime/ventilator/ports";
import { functionArn, type Place } from "./arn";
import { invokeBatch, type BatchAnswer } from "./batch-invocation";
import type { EventSourceMapping } from "./event-source-mapping";
import type { FunctionRegistry } from "./functions";
import type { StreamRecord } from "./kinesis-event";
import type { MappingSettings } from "./mapping-settings";
import { onFailureRecord, type OnFailureRecord } from "./on-failure";
import { checkpointAfter, discardedThrough, newShard, type DeliveredBatch, type ShardProgress, type ShardRuntime } from "./shard-progress";
import { ShardReader } from "./shard-reader";
import { DISCARD_CONDITION, expiredPrefix, FRESH_RETRY_STATE, nextStep, type DiscardCondition } from "./shard-retry";
import { WakeUp } from "./wake-up";

export type { DeliveredBatch, ShardProgress } from "./shard-progress";

export interface PollerOptions {
  mapping: EventSourceMapping;
  functions: FunctionRegistry;
  kinesis: KinesisClient;
  clock: Clock;
  place: Place;
}

export class KinesisPoller {
  private readonly mapping: EventSourceMapping;
  private readonly functions: FunctionRegistry;
  private readonly clock: Clock;
  private readonly place: Place;
  private readonly wake = new WakeUp();
  private readonly reader: ShardReader;
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
    this.clock = opts.clock;
    this.place = opts.place;
    this.reader = new ShardReader({ kinesis: opts.kinesis, streamName: opts.mapping.streamName, pollIntervalMs: opts.mapping.pollIntervalMs, wake: this.wake, stopping: () => this.stopping });
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
        const ids = await this.reader.listShardIds();
        for (const id of ids) this.shardRuntimes.set(id, newShard(id, this.mapping.startingPosition));
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
        ({ records, after } = await this.reader.read(shard, settings));
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

  private async deliver(shard: ShardRuntime, records: StreamRecord[], after: string | undefined, settings: MappingSettings, readAt: number): Promise<void> {
    const { shardId } = shard.progress;
    const attempt = shard.retry.attempts;
    const startedAt = this.clock.now();
    shard.progress.inFlight = true;
    let answer: BatchAnswer;
    try {
      answer = await invokeBatch(this.functions, this.mapping, this.place, shardId, records, settings);
    } finally {
      shard.progress.inFlight = false;
    }
    const { outcome, requestId, functionError } = answer;
    const endedAt = this.clock.now();
    shard.progress.batchesDelivered++;
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const batch = { shardId, size: records.length, firstSequenceNumber: first.sequenceNumber, lastSequenceNumber: last.sequenceNumber, batchSizeSetting: settings.batchSize };
    this.delivered.push({ ...batch, readAt, startedAt, endedAt, outcome: outcome.kind, attempt });

    const step = nextStep(outcome, records.length, shard.retry, settings);
    shard.retry = step.retry;
    shard.progress.attempts = step.retry.attempts;
    switch (step.type) {
      case "advance":
        this.mapping.lastProcessingResult = "OK";
        checkpointAfter(shard, records[step.through]!.sequenceNumber, records.length);
        shard.iterator = after;
        return;
      case "retry":
        if (outcome.kind === "throttled") shard.progress.throttles++;
        else {
          shard.progress.retries++;
          this.mapping.lastProcessingResult = outcome.kind === "partial" ? "OK" : "PROBLEM: Function call failed";
        }
        if (step.through !== null) checkpointAfter(shard, records[step.through]!.sequenceNumber, step.through + 1);
        else if (shard.progress.checkpoint === null) shard.position = { at: first.sequenceNumber };
        shard.iterator = undefined;
        // Lambda backs off before a retry; one poll interval keeps a failing shard from spinning.
        await this.wake.sleep(this.mapping.pollIntervalMs);
        return;
      case "discard":
        if (step.from > 0) checkpointAfter(shard, records[step.from - 1]!.sequenceNumber, step.from);
        this.discard(shard, records.slice(step.from, step.through + 1), step.condition, step.invokeCount, requestId, functionError || "Unhandled", settings);
        shard.iterator = after;
        return;
    }
  }

  /** Records the mapping gives up on go to the on-failure destination (metadata only, as on Lambda). */
  private discard(shard: ShardRuntime, records: StreamRecord[], condition: DiscardCondition, invokeCount: number, requestId: string, functionError: string, settings: MappingSettings): void {
    const { shardId } = shard.progress;
    const functionArnOf = functionArn(this.place, this.mapping.functionName);
    const failure = { records, shardId, streamArn: this.mapping.eventSourceArn, functionArn: functionArnOf, condition, invokeCount, lastRequestId: requestId, functionError };
    this.discarded.push(onFailureRecord({ ...failure, destination: settings.onFailureDestination, now: this.clock.now() }));
    discardedThrough(shard, records[records.length - 1]!.sequenceNumber, records.length);
  }

  private problem(what: string, error: unknown): void {
    if (this.problemLog.length < 1_000) this.problemLog.push(`${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}
