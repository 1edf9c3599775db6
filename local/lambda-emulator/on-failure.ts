/**
 * What Lambda sends an event source mapping's on-failure destination when it
 * discards Kinesis records: metadata about the batch (shard, sequence range,
 * arrival times), never the records themselves.
 */
import type { DiscardCondition } from "./shard-retry";
import type { StreamRecord } from "./kinesis-event";

export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DiscardCondition;
    approximateInvokeCount: number;
  };
  responseContext: {
    statusCode: number;
    executedVersion: string;
    functionError: string;
  };
  version: "1.0";
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
  /** Where Lambda would have sent it (the mapping's DestinationConfig.OnFailure), null when none is configured. */
  destination: string | null;
}

export function onFailureRecord(args: {
  records: readonly StreamRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  condition: DiscardCondition;
  invokeCount: number;
  /** The last invocation's request id and error, when there was one. */
  lastRequestId: string;
  functionError: string;
  destination: string | undefined;
  now: number;
}): OnFailureRecord {
  const first = args.records[0];
  const last = args.records[args.records.length - 1];
  if (!first || !last) throw new RangeError("onFailureRecord: a discarded batch has at least one record");
  return {
    requestContext: { requestId: args.lastRequestId, functionArn: args.functionArn, condition: args.condition, approximateInvokeCount: args.invokeCount },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: args.functionError },
    version: "1.0",
    timestamp: new Date(args.now).toISOString(),
    KinesisBatchInfo: {
      shardId: args.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: args.records.length,
      streamArn: args.streamArn,
    },
    destination: args.destination ?? null,
  };
}
