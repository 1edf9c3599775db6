/**
 * Kinesis records as the ventilator sees them. A record's data is JSON with at
 * least `id`; anything else is malformed and is dead-lettered by its sequence
 * number so it can never block the shard.
 */
import * as z from "zod";

export interface KinesisEventRecord {
  kinesis: { data: string; sequenceNumber: string; partitionKey: string; approximateArrivalTimestamp?: number };
  eventSource?: string;
  eventSourceARN?: string;
  eventID?: string;
}

export interface KinesisBatchEvent {
  Records: KinesisEventRecord[];
}

/** What a producer puts on the stream (see `sluice enqueue`). */
export const streamRecordSchema = z.object({
  id: z.string().min(1).max(1024),
  payload: z.unknown().optional(),
  /** Requested by a person rather than the scheduler. */
  adHoc: z.boolean().optional(),
  /** Epoch ms at enqueue, for record-age reporting. */
  enqueuedAt: z.number().optional(),
});
export type StreamRecord = z.infer<typeof streamRecordSchema>;

export type DecodedRecord =
  /**
   * `requestedAt`: the producer's enqueuedAt, else Kinesis' approximate arrival time (epoch ms); absent when neither is known.
   * `arrivedAt`: Kinesis' approximate arrival time (epoch ms), from which the record expires from the stream.
   */
  | { kind: "record"; sequenceNumber: string; record: StreamRecord; requestedAt?: number; arrivedAt?: number }
  /** `data`: the record's bytes as Kinesis delivered them (base64), kept with the dead record. */
  | { kind: "malformed"; sequenceNumber: string; reason: string; data: string };

export function encodeStreamRecord(record: StreamRecord): string {
  return JSON.stringify(record);
}

export function decodeRecord(r: KinesisEventRecord): DecodedRecord {
  const sequenceNumber = r.kinesis.sequenceNumber;
  const data = r.kinesis.data;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data, "base64").toString("utf8"));
  } catch {
    return { kind: "malformed", sequenceNumber, reason: "malformed: data is not JSON", data };
  }
  const parsed = streamRecordSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") + ": " : "";
    return { kind: "malformed", sequenceNumber, reason: `malformed: ${where}${first?.message ?? "invalid record"}`, data };
  }
  // Kinesis stamps every record with its arrival (epoch seconds): the request day when the producer stamped none.
  const arrival = r.kinesis.approximateArrivalTimestamp;
  const arrivedAt = typeof arrival === "number" && Number.isFinite(arrival) ? Math.round(arrival * 1000) : undefined;
  const requestedAt = parsed.data.enqueuedAt ?? arrivedAt;
  return { kind: "record", sequenceNumber, record: parsed.data, ...(requestedAt !== undefined ? { requestedAt } : {}), ...(arrivedAt !== undefined ? { arrivedAt } : {}) };
}

export function isKinesisBatch(event: unknown): event is KinesisBatchEvent {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.length > 0 && (records[0] as KinesisEventRecord)?.eventSource === "aws:kinesis";
}

export function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; "detail-type"?: unknown } | null;
  return e?.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}
