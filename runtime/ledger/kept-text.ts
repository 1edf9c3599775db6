/**
 * Text the ledger keeps inside a record's item: a dead record's payload (for a
 * redrive) and a fetched body waiting to land. A DynamoDB item holds at most
 * 400 KB, so text is kept as is when it fits `limit` bytes, gzipped (base64)
 * when that fits, and not at all otherwise:
 *
 *   kept = "t:" + text                          when bytes(text) ≤ limit − 2
 *        = "z:" + base64(gzip(text))            when that is ≤ limit
 *        = null                                 otherwise
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** Largest fetched body a record keeps while its landing is pending. */
export const MAX_KEPT_BODY_BYTES = 300_000;
/** Largest payload a dead record keeps for a redrive (a Kinesis record is at most 1 MB). */
export const MAX_KEPT_PAYLOAD_BYTES = 60_000;

export function keepText(text: string, limit: number): string | null {
  if (Buffer.byteLength(text, "utf8") + 2 <= limit) return `t:${text}`;
  const zipped = `z:${gzipSync(Buffer.from(text, "utf8")).toString("base64")}`;
  return zipped.length <= limit ? zipped : null;
}

/** The text `keepText` kept; throws on anything else (the caller names the item). */
export function keptText(kept: string): string {
  if (kept.startsWith("t:")) return kept.slice(2);
  if (kept.startsWith("z:")) return gunzipSync(Buffer.from(kept.slice(2), "base64")).toString("utf8");
  throw new RangeError(`kept text starts with neither "t:" nor "z:"`);
}
