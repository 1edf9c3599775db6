/**
 * The provider's stream and its event source mapping, as Lambda runs them:
 * lanes (shard × parallelization slot), each with one batch in flight; a
 * batch goes to a ventilator execution with the function's timeout; with
 * ReportBatchItemFailures the checkpoint moves to the lowest failed record
 * and everything from there is delivered again at once; a function error
 * (thrown, timed out, killed) delivers the same batch again; past
 * MaximumRetryAttempts, or past the stream's retention, records are given up.
 */
import { encodeStreamRecord, type KinesisBatchEvent } from "../../../runtime/ventilator/records";

export interface StreamRecordModel {
  seq: string;
  lane: number;
  id: string;
  payload: unknown;
  adHoc: boolean;
  /** The producer's stamp; absent when it did not stamp the record. */
  enqueuedAt?: number;
  arrivedAt: number;
  /** When the checkpoint passed it (processed, or given up). */
  consumedAt?: number;
  /** Given up by the mapping (retries or age ran out) rather than processed. */
  discarded?: string;
}

export interface Lane {
  records: StreamRecordModel[];
  checkpoint: number;
  busy: boolean;
  retries: number;
  waking: boolean;
}

export class StreamModel {
  readonly lanes: Lane[];
  private serial = 0;

  constructor(laneCount: number) {
    this.lanes = Array.from({ length: laneCount }, () => ({ records: [], checkpoint: 0, busy: false, retries: 0, waking: false }));
  }

  put(record: Omit<StreamRecordModel, "seq">): StreamRecordModel {
    const full = { ...record, seq: String(++this.serial).padStart(20, "0") };
    this.lanes[record.lane]!.records.push(full);
    return full;
  }

  pending(lane: Lane): number {
    return lane.records.length - lane.checkpoint;
  }

  all(): StreamRecordModel[] {
    return this.lanes.flatMap((l) => l.records);
  }

  event(batch: readonly StreamRecordModel[]): KinesisBatchEvent {
    return {
      Records: batch.map((r) => ({
        eventSource: "aws:kinesis",
        eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/fault-search",
        kinesis: {
          sequenceNumber: r.seq,
          partitionKey: r.id,
          approximateArrivalTimestamp: r.arrivedAt / 1000,
          data: Buffer.from(
            encodeStreamRecord({ id: r.id, payload: r.payload, ...(r.adHoc ? { adHoc: true } : {}), ...(r.enqueuedAt !== undefined ? { enqueuedAt: r.enqueuedAt } : {}) }),
          ).toString("base64"),
        },
      })),
    };
  }

  /** Moves the lane's checkpoint past `count` records taken at `now`. */
  consume(lane: Lane, count: number, now: number, discarded?: string): void {
    for (let i = lane.checkpoint; i < lane.checkpoint + count && i < lane.records.length; i++) {
      const r = lane.records[i]!;
      r.consumedAt = now;
      if (discarded) r.discarded = discarded;
    }
    lane.checkpoint = Math.min(lane.records.length, lane.checkpoint + count);
  }
}
