/**
 * The input of `sluice enqueue`: one record per line, either a bare id or a
 * JSON object {"id": "...", "payload": ...}. Pure, so every rule is a table test:
 *  - blank lines (after trimming) are skipped; CRLF and a leading BOM are fine;
 *  - a line starting with "{" is JSON and must be an object with a string id
 *    and nothing but id and payload (a typo such as "ID" is an error, not a
 *    record without an id);
 *  - an id must fit the stream record (1–1024 characters) and, as it is the
 *    partition key, Kinesis's 256-character partition key limit;
 *  - an id seen before is sent once (the first line wins) and counted;
 *  - every problem is reported with its line number and nothing is sent: a
 *    scheduler re-running a fixed file must not enqueue half of it twice.
 */
import { KINESIS_LIMITS } from "../runtime/aws/stream-writer";
import { encodeStreamRecord, streamRecordSchema, type StreamRecord } from "../runtime/ventilator/records";

export interface LineProblem {
  line: number;
  message: string;
}

export interface ParsedLines {
  /** Distinct records, in input order, ready for the stream. */
  records: StreamRecord[];
  /** 1-based line of each record, parallel to `records`. */
  lines: number[];
  /** Lines that repeated an earlier id and were dropped. */
  duplicates: number;
  /** Of `duplicates`, those whose payload differed from the first line's (which was kept). */
  conflictingDuplicates: number;
  blankLines: number;
  problems: LineProblem[];
}

export interface ParseOptions {
  /** Mark every record as requested by a person rather than the scheduler. */
  adHoc: boolean;
  /** Epoch ms stamped as enqueuedAt on every record. */
  now: number;
}

const ALLOWED_FIELDS = new Set(["id", "payload"]);
const MAX_ID_LENGTH = Math.min(KINESIS_LIMITS.partitionKeyMaxLength, (streamRecordSchema.shape.id.maxLength ?? Infinity));

export function parseRecordLines(text: string, opts: ParseOptions): ParsedLines {
  const out: ParsedLines = { records: [], lines: [], duplicates: 0, conflictingDuplicates: 0, blankLines: 0, problems: [] };
  const firstPayload = new Map<string, string | undefined>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  // A final newline does not make an extra (blank) line.
  if (lines.length > 0 && lines.at(-1) === "") lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "") {
      out.blankLines++;
      return;
    }
    const parsed = trimmed.startsWith("{") ? fromJson(trimmed) : { id: trimmed };
    if ("problem" in parsed) {
      out.problems.push({ line, message: parsed.problem });
      return;
    }
    const idProblem = checkId(parsed.id);
    if (idProblem) {
      out.problems.push({ line, message: idProblem });
      return;
    }
    const payloadKey = parsed.payload === undefined ? undefined : JSON.stringify(parsed.payload);
    if (firstPayload.has(parsed.id)) {
      out.duplicates++;
      if (firstPayload.get(parsed.id) !== payloadKey) out.conflictingDuplicates++;
      return;
    }
    firstPayload.set(parsed.id, payloadKey);
    const record: StreamRecord = { id: parsed.id, ...(parsed.payload !== undefined ? { payload: parsed.payload } : {}), ...(opts.adHoc ? { adHoc: true } : {}), enqueuedAt: opts.now };
    const size = Buffer.byteLength(encodeStreamRecord(record)) + Buffer.byteLength(record.id);
    if (size > KINESIS_LIMITS.bytesPerRecord) {
      out.problems.push({ line, message: `record of ${size} bytes exceeds the ${KINESIS_LIMITS.bytesPerRecord}-byte Kinesis record limit` });
      return;
    }
    out.records.push(record);
    out.lines.push(line);
  });
  return out;
}

function fromJson(text: string): { id: string; payload?: unknown } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `invalid JSON: ${jsonReason((err as Error).message)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { problem: "expected a JSON object with an id" };
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !ALLOWED_FIELDS.has(k));
  if (unknown.length > 0) return { problem: `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}: a line holds only "id" and "payload"` };
  if (!("id" in obj)) return { problem: 'missing "id"' };
  if (typeof obj.id !== "string") return { problem: `"id" must be a string, got ${JSON.stringify(obj.id)}` };
  return "payload" in obj ? { id: obj.id, payload: obj.payload } : { id: obj.id };
}

/** The parser's reason with the column in the line, whichever way this Node.js version words it. */
function jsonReason(message: string): string {
  const lc = /\s*\(line \d+ column (\d+)\)\s*$/.exec(message);
  if (lc) return `${message.slice(0, lc.index)} at column ${lc[1]}`;
  const pos = /\s*(?:in JSON )?at position (\d+).*$/s.exec(message);
  if (pos) return `${message.slice(0, pos.index)} at column ${Number(pos[1]) + 1}`;
  return message;
}

function checkId(id: string): string | undefined {
  if (id.trim() === "") return '"id" is empty';
  if (id.length > MAX_ID_LENGTH) return `id of ${id.length} characters is longer than ${MAX_ID_LENGTH} (it is the Kinesis partition key)`;
  return undefined;
}
