/**
 * One batch handed to the mapping's function, as Lambda's poller does it: the
 * records in the Kinesis event shape (arrival times on the function's clock),
 * invoked through the registry, and the answer read as an outcome:
 *   function error                                  → failed
 *   ReportBatchItemFailures on: batchItemFailures   → success, partial, or failed when malformed
 *   otherwise                                       → success
 *   refused by the API (throttled, no such function) → throttled, retried until the records expire
 */
import { LambdaApiError, LAMBDA_ERROR } from "./api-errors";
import { executionRoleArn, type Place } from "./arn";
import { readBatchResponse } from "./batch-response";
import type { EventSourceMapping } from "./event-source-mapping";
import type { FunctionRegistry } from "./functions";
import { describeBatch, kinesisEvent, type StreamRecord } from "./kinesis-event";
import { REPORT_BATCH_ITEM_FAILURES, type MappingSettings } from "./mapping-settings";
import type { DeliveryOutcome } from "./shard-retry";

export interface BatchAnswer {
  outcome: DeliveryOutcome;
  /** The invocation's request id ("" when the API refused it). */
  requestId: string;
  /** The FunctionError header ("" when none). */
  functionError: string;
}

export async function invokeBatch(
  functions: FunctionRegistry,
  mapping: EventSourceMapping,
  place: Place,
  shardId: string,
  records: StreamRecord[],
  settings: MappingSettings,
): Promise<BatchAnswer> {
  const functionName = mapping.functionName;
  // A function whose environment runs on a shifted clock sees arrival times on that clock too.
  const shift = functions.clockOffsetOf(functionName);
  const event = kinesisEvent(shift === 0 ? records : records.map((r) => ({ ...r, arrivalMs: r.arrivalMs + shift })), {
    shardId,
    eventSourceArn: mapping.eventSourceArn,
    region: place.region,
    invokeIdentityArn: executionRoleArn(place, functionName),
  });
  try {
    const result = await functions.invoke(functionName, event, { source: "kinesis", summary: describeBatch(shardId, records) });
    if (result.functionError !== undefined) return { outcome: { kind: "failed" }, requestId: result.requestId, functionError: result.functionError };
    if (!settings.functionResponseTypes.includes(REPORT_BATCH_ITEM_FAILURES)) return { outcome: { kind: "success" }, requestId: result.requestId, functionError: "" };
    const verdict = readBatchResponse(result.payload, records.map((r) => r.sequenceNumber));
    return { outcome: verdict.kind === "malformed" ? { kind: "failed" } : verdict, requestId: result.requestId, functionError: "" };
  } catch (error) {
    if (!(error instanceof LambdaApiError)) throw error;
    mapping.lastProcessingResult = error.type === LAMBDA_ERROR.TOO_MANY_REQUESTS ? "PROBLEM: Function call throttled" : "PROBLEM: Function not found";
    return { outcome: { kind: "throttled" }, requestId: "", functionError: "" };
  }
}
