/**
 * PutRecords without silent loss. PutRecords is not atomic: it answers 200 with
 * FailedRecordCount > 0 and an ErrorCode on each record that did not land
 * (ProvisionedThroughputExceeded, InternalFailure). A caller that only checks
 * for a rejection loses those records. Here:
 *  - entries go in chunks of at most 500 records and 5 MiB (data + partition
 *    key, as Kinesis counts them); an entry over 1 MiB, or with a partition key
 *    outside 1–256 characters, is reported failed up front;
 *  - only the failed entries of a chunk are re-sent, after a full-jitter delay
 *    random() × min(capMs, baseMs × 2^attempt); a whole-call throttle or 5xx
 *    re-sends the whole chunk the same way;
 *  - what still failed after `maxRetries` is returned with its reason.
 * Retries reorder records of a partition key relative to the ones that landed
 * first; the ledger, not stream order, guarantees once-per-day.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { fullJitterDelay } from "../backoff";
import { describeError, errorName, httpStatusOf } from "./sdk-errors";

export interface StreamEntry {
  data: Uint8Array | string;
  partitionKey: string;
}

export interface PutRecordsOptions {
  sleep: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
  /** Re-sends of a record after its first attempt. @default 8 */
  maxRetries?: number;
  /** @default 100 */
  backoffBaseMs?: number;
  /** @default 5000 */
  backoffCapMs?: number;
  /** Called after every PutRecords call with the running total of records that landed. */
  onProgress?(sent: number): void;
}

export interface PutRecordsReport {
  /** Records that landed. */
  sent: number;
  /** Re-sends made (a record re-sent twice counts twice). */
  retried: number;
  /** Entries that did not land, by their index in the input, with the last reason. */
  failed: { index: number; reason: string }[];
}

export const KINESIS_LIMITS = {
  recordsPerCall: 500,
  bytesPerCall: 5 * 1024 * 1024,
  bytesPerRecord: 1024 * 1024,
  partitionKeyMaxLength: 256,
} as const;

/** Whole-call errors worth re-sending: throttles, service-side failures, no answer at all. */
const RETRYABLE_CALL_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "KMSThrottlingException",
  "ThrottlingException",
  "InternalFailure",
  "ServiceUnavailable",
]);

function isRetryableCallError(err: unknown): boolean {
  const name = errorName(err);
  if (name && RETRYABLE_CALL_ERRORS.has(name)) return true;
  const status = httpStatusOf(err);
  return status === undefined || status >= 500;
}

interface Prepared {
  index: number;
  record: PutRecordsRequestEntry;
  size: number;
}

const encoder = new TextEncoder();

function prepare(entries: readonly StreamEntry[], failed: PutRecordsReport["failed"]): Prepared[] {
  const ok: Prepared[] = [];
  entries.forEach((entry, index) => {
    const data = typeof entry.data === "string" ? encoder.encode(entry.data) : entry.data;
    const keyLength = entry.partitionKey.length;
    if (keyLength < 1 || keyLength > KINESIS_LIMITS.partitionKeyMaxLength) {
      failed.push({ index, reason: `partitionKey length ${keyLength} is outside 1–${KINESIS_LIMITS.partitionKeyMaxLength}` });
      return;
    }
    const size = data.byteLength + encoder.encode(entry.partitionKey).byteLength;
    if (size > KINESIS_LIMITS.bytesPerRecord) {
      failed.push({ index, reason: `record of ${size} bytes (data + partition key) exceeds the ${KINESIS_LIMITS.bytesPerRecord}-byte limit` });
      return;
    }
    ok.push({ index, size, record: { Data: data, PartitionKey: entry.partitionKey } });
  });
  return ok;
}

/** Consecutive chunks within both per-call limits. Exported for tests. */
export function chunkBySize<T extends { size: number }>(items: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export async function putRecordsReliably(
  client: KinesisClient,
  streamName: string,
  entries: readonly StreamEntry[],
  opts: PutRecordsOptions,
): Promise<PutRecordsReport> {
  const random = opts.random ?? Math.random;
  const maxRetries = opts.maxRetries ?? 8;
  const backoff = { baseMs: opts.backoffBaseMs ?? 100, capMs: opts.backoffCapMs ?? 5_000 };
  const report: PutRecordsReport = { sent: 0, retried: 0, failed: [] };
  const chunks = chunkBySize(prepare(entries, report.failed), KINESIS_LIMITS.recordsPerCall, KINESIS_LIMITS.bytesPerCall);

  for (let c = 0; c < chunks.length; c++) {
    let pending = chunks[c]!;
    let lastReason = new Map<number, string>();
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (attempt > maxRetries) break;
        await opts.sleep(fullJitterDelay(attempt - 1, random, backoff));
        report.retried += pending.length;
      }
      let results;
      try {
        const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: pending.map((p) => p.record) }));
        results = out.Records ?? [];
      } catch (err) {
        const reason = describeError(err);
        if (!isRetryableCallError(err)) {
          // A missing stream or a bad request fails every later chunk the same way: report them all, stop.
          for (const rest of [pending, ...chunks.slice(c + 1)]) for (const p of rest) report.failed.push({ index: p.index, reason });
          return finish(report);
        }
        lastReason = new Map(pending.map((p) => [p.index, reason]));
        continue;
      }
      if (results.length !== pending.length) {
        const reason = `PutRecords answered ${results.length} results for ${pending.length} records`;
        lastReason = new Map(pending.map((p) => [p.index, reason]));
        continue;
      }
      const stillFailing: Prepared[] = [];
      lastReason = new Map();
      pending.forEach((p, i) => {
        const r = results[i]!;
        if (r.ErrorCode) {
          stillFailing.push(p);
          lastReason.set(p.index, r.ErrorMessage ? `${r.ErrorCode}: ${r.ErrorMessage}` : r.ErrorCode);
        } else {
          report.sent++;
        }
      });
      opts.onProgress?.(report.sent);
      pending = stillFailing;
    }
    for (const p of pending) report.failed.push({ index: p.index, reason: lastReason.get(p.index) ?? "not sent" });
  }
  return finish(report);
}

function finish(report: PutRecordsReport): PutRecordsReport {
  report.failed.sort((a, b) => a.index - b.index);
  return report;
}
