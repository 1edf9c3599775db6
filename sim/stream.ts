/**
 * The provider's Kinesis stream as the event source mapping reads it: records
 * in lanes (shard × parallelization slot; a partition key always lands in the
 * same lane, so per-key order holds), with increasing sequence numbers.
 * Records are spread over lanes round-robin, as uniform hashing of distinct
 * record ids would spread them.
 */
import { encodeStreamRecord, type KinesisEventRecord } from "../runtime/ventilator/records";

export interface SimRecord {
  id: string;
  sequenceNumber: string;
  enqueuedAt: number;
  event: KinesisEventRecord;
}

const SEQUENCE_DIGITS = 21;

export class SimStream {
  readonly lanes: SimRecord[][];
  private count = 0;

  constructor(
    laneCount: number,
    readonly arn: string,
  ) {
    if (!Number.isInteger(laneCount) || laneCount < 1) throw new RangeError(`lane count ${laneCount} must be an integer >= 1`);
    this.lanes = Array.from({ length: laneCount }, () => []);
  }

  get size(): number {
    return this.count;
  }

  put(id: string, at: number): SimRecord {
    const sequenceNumber = String(++this.count).padStart(SEQUENCE_DIGITS, "0");
    const data = Buffer.from(encodeStreamRecord({ id, enqueuedAt: at }), "utf8").toString("base64");
    const record: SimRecord = {
      id,
      sequenceNumber,
      enqueuedAt: at,
      event: {
        kinesis: { data, sequenceNumber, partitionKey: id, approximateArrivalTimestamp: at / 1000 },
        eventSource: "aws:kinesis",
        eventSourceARN: this.arn,
        eventID: `shardId-000000000000:${sequenceNumber}`,
      },
    };
    this.lanes[(this.count - 1) % this.lanes.length]!.push(record);
    return record;
  }
}
