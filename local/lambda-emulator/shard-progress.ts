/**
 * What the poller keeps per shard: its public progress (checkpoint, counts,
 * what is in flight), where its next read starts, and the retry state of the
 * records at its head; and what each delivery of a batch looked like.
 */
import type { StartingPosition } from "./mapping-settings";
import { FRESH_RETRY_STATE, type DeliveryOutcome, type RetryState } from "./shard-retry";

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

export type Position = { after: string } | { at: string } | { start: "TRIM_HORIZON" | "LATEST" };

export interface ShardRuntime {
  progress: ShardProgress;
  position: Position;
  /** An iterator positioned exactly at `position`, when we hold one (saves a GetShardIterator). */
  iterator: string | undefined;
  retry: RetryState;
}

export function newShard(shardId: string, start: StartingPosition): ShardRuntime {
  return {
    progress: { shardId, checkpoint: null, batchesDelivered: 0, recordsProcessed: 0, retries: 0, throttles: 0, recordsDiscarded: 0, attempts: 0, inFlight: false, polls: 0, buffered: 0, finished: false },
    position: { start },
    iterator: undefined,
    retry: FRESH_RETRY_STATE,
  };
}

/** Processing went through `sequenceNumber`: the checkpoint moves past it, `processed` more records counted. */
export function checkpointAfter(shard: ShardRuntime, sequenceNumber: string, processed: number): void {
  shard.progress.checkpoint = sequenceNumber;
  shard.progress.recordsProcessed += processed;
  shard.position = { after: sequenceNumber };
}

/** `count` records through `sequenceNumber` were given up on: the checkpoint moves past them. */
export function discardedThrough(shard: ShardRuntime, sequenceNumber: string, count: number): void {
  shard.progress.recordsDiscarded += count;
  shard.progress.checkpoint = sequenceNumber;
  shard.position = { after: sequenceNumber };
}
