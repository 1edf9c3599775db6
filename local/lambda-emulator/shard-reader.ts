/**
 * The Kinesis side of a poller, on the production SDK client: list the
 * stream's shards, and read a shard's next batch from its position. A read
 * takes up to min(BatchSize, the size a bisection owes) records; when fewer
 * are there it gathers for up to MaximumBatchingWindowInSeconds.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from "@aws-sdk/client-kinesis";
import type { StreamRecord } from "./kinesis-event";
import type { MappingSettings } from "./mapping-settings";
import type { ShardRuntime } from "./shard-progress";
import type { WakeUp } from "./wake-up";

export interface ShardReaderOptions {
  kinesis: KinesisClient;
  streamName: string;
  pollIntervalMs: number;
  /** Sleeps that stop() cuts short. */
  wake: WakeUp;
  stopping: () => boolean;
}

export class ShardReader {
  constructor(private readonly opts: ShardReaderOptions) {}

  async listShardIds(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.opts.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.opts.streamName }));
      for (const shard of out.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
      token = out.NextToken;
    } while (token);
    return ids;
  }

  /**
   * Reads the next batch from the shard's position. `after` is an iterator just
   * past the records read (undefined when the shard is closed and drained).
   */
  async read(shard: ShardRuntime, settings: MappingSettings): Promise<{ records: StreamRecord[]; after: string | undefined }> {
    const limit = Math.min(settings.batchSize, shard.retry.pendingSizes[0] ?? Number.POSITIVE_INFINITY);
    const windowMs = settings.maximumBatchingWindowInSeconds * 1000;
    let iterator: string | undefined = shard.iterator ?? (await this.iteratorAt(shard));
    const records: StreamRecord[] = [];
    let firstSeenAt: number | undefined;
    while (iterator !== undefined) {
      const out = await this.opts.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit - records.length }));
      records.push(...(out.Records ?? []).map(toStreamRecord));
      iterator = out.NextShardIterator ?? undefined;
      if (records.length === 0 || records.length >= limit || windowMs === 0 || this.opts.stopping()) break;
      firstSeenAt ??= Date.now();
      const left = windowMs - (Date.now() - firstSeenAt);
      if (left <= 0) break;
      shard.progress.buffered = records.length;
      await this.opts.wake.sleep(Math.min(left, this.opts.pollIntervalMs));
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
    const out = await this.opts.kinesis.send(new GetShardIteratorCommand({ StreamName: this.opts.streamName, ShardId: shard.progress.shardId, ...where }));
    return out.ShardIterator;
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
