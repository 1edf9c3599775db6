/**
 * The event an event source mapping hands a function for one batch of one
 * shard, in the exact shape Lambda builds (aws-lambda's KinesisStreamEvent):
 * data base64, approximateArrivalTimestamp in epoch seconds with a fraction,
 * eventID "<shardId>:<sequenceNumber>".
 */

/** A record as read from the stream (GetRecords), with the arrival time in epoch ms. */
export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  arrivalMs: number;
}

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: "1.0";
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: "aws:kinesis";
  eventVersion: "1.0";
  eventID: string;
  eventName: "aws:kinesis:record";
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export interface KinesisStreamEvent {
  Records: KinesisEventRecord[];
}

export interface BatchSource {
  shardId: string;
  eventSourceArn: string;
  region: string;
  invokeIdentityArn: string;
}

export function kinesisEvent(records: readonly StreamRecord[], source: BatchSource): KinesisStreamEvent {
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: r.partitionKey,
        sequenceNumber: r.sequenceNumber,
        data: Buffer.from(r.data).toString("base64"),
        approximateArrivalTimestamp: r.arrivalMs / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${source.shardId}:${r.sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.region,
      eventSourceARN: source.eventSourceArn,
    })),
  };
}

/** For the invocation log: which shard and sequence range a batch covers. */
export function describeBatch(shardId: string, records: readonly StreamRecord[]): string {
  const first = records[0]?.sequenceNumber ?? "-";
  const last = records[records.length - 1]?.sequenceNumber ?? "-";
  return `kinesis ${shardId} ${records.length} record(s) ${first}..${last}`;
}
