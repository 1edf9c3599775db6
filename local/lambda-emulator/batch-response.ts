/**
 * How Lambda reads a function's answer to a Kinesis batch when the mapping has
 * FunctionResponseTypes ["ReportBatchItemFailures"] (Lambda developer guide,
 * "partial batch responses"):
 *  - success: a null/absent answer, an answer without batchItemFailures, a
 *    null or empty batchItemFailures list;
 *  - partial: every itemIdentifier is a sequence number of the batch; Lambda
 *    checkpoints just before the LOWEST one and re-sends everything from it,
 *    successes after it included;
 *  - malformed (the whole batch failed): batchItemFailures is not a list, or an
 *    item lacks itemIdentifier, has an empty/null one, or one not in the batch.
 */

export type BatchVerdict =
  | { kind: "success" }
  /** Index in the batch of the lowest failed sequence number. */
  | { kind: "partial"; firstFailedIndex: number }
  | { kind: "malformed"; reason: string };

export function readBatchResponse(payload: unknown, sequenceNumbers: readonly string[]): BatchVerdict {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return { kind: "success" };
  const failures = (payload as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "success" };
  if (!Array.isArray(failures)) return { kind: "malformed", reason: `batchItemFailures is ${typeof failures}, not a list` };
  if (failures.length === 0) return { kind: "success" };

  const indexOf = new Map(sequenceNumbers.map((seq, i) => [seq, i]));
  let lowest = Number.POSITIVE_INFINITY;
  for (const item of failures) {
    const id = item !== null && typeof item === "object" ? (item as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "") return { kind: "malformed", reason: `itemIdentifier ${JSON.stringify(id ?? null)} is not a sequence number` };
    const index = indexOf.get(id);
    if (index === undefined) return { kind: "malformed", reason: `itemIdentifier "${id}" is not in the batch` };
    lowest = Math.min(lowest, index);
  }
  return { kind: "partial", firstFailedIndex: lowest };
}
