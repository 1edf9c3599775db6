/**
 * What a Kinesis event source mapping does with a shard after delivering a
 * batch of n records (indexes 0..n-1), following Lambda's documented rules:
 *
 *  success              → checkpoint after n-1; attempts := 0
 *  partial, lowest k    → checkpoint after k-1 (unchanged if k = 0) and re-send
 *                         from k; attempts := (k > 0 ? 0 : attempts) + 1
 *  failed (function error, timeout, malformed answer)
 *     bisect on, n > 1  → re-send the same records as two batches ⌈n/2⌉ and ⌊n/2⌋;
 *                         splitting does not consume the retry quota
 *     otherwise         → attempts := attempts + 1, re-send from the checkpoint
 *  throttled (the function could not be invoked) → re-send; no attempt counted
 *
 * When attempts > MaximumRetryAttempts (never when it is −1) the records from
 * the re-send point to n-1 are discarded to the on-failure destination
 * (condition RetryAttemptsExhausted) and the checkpoint moves past them.
 * MaximumRecordAgeInSeconds is applied before delivery (`expiredPrefix`):
 * records older than it are discarded (condition RecordAgeExpired).
 */

export type DeliveryOutcome =
  | { kind: "success" }
  | { kind: "partial"; firstFailedIndex: number }
  | { kind: "failed" }
  | { kind: "throttled" };

export interface RetryState {
  /** Failed invocations of the records at the head of the shard (not counting splits and throttles). */
  attempts: number;
  /** Sizes of the batches a bisection still owes, in order; the next batch is at most pendingSizes[0]. */
  pendingSizes: number[];
}

export interface RetryPolicy {
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
}

export const DISCARD_CONDITION = {
  RETRIES_EXHAUSTED: "RetryAttemptsExhausted",
  RECORD_AGE: "RecordAgeExpired",
} as const;
export type DiscardCondition = (typeof DISCARD_CONDITION)[keyof typeof DISCARD_CONDITION];

export type ShardStep =
  /** Checkpoint after record `through`; the next batch reads on from there. */
  | { type: "advance"; through: number; retry: RetryState }
  /** Checkpoint after record `through` (stay where it was when null) and re-send from there. */
  | { type: "retry"; through: number | null; retry: RetryState }
  /** Discard records from..through (the end of the batch) and checkpoint after them. */
  | { type: "discard"; from: number; through: number; condition: DiscardCondition; invokeCount: number; retry: RetryState };

export const FRESH_RETRY_STATE: RetryState = { attempts: 0, pendingSizes: [] };

export function nextStep(outcome: DeliveryOutcome, batchLength: number, state: RetryState, policy: RetryPolicy): ShardStep {
  if (!Number.isInteger(batchLength) || batchLength < 1) throw new RangeError(`nextStep: batchLength ${batchLength} must be an integer >= 1`);
  const last = batchLength - 1;
  const exhausted = (attempts: number) => policy.maximumRetryAttempts !== -1 && attempts > policy.maximumRetryAttempts;

  switch (outcome.kind) {
    case "success":
      return { type: "advance", through: last, retry: { attempts: 0, pendingSizes: state.pendingSizes.slice(1) } };

    case "throttled":
      return { type: "retry", through: null, retry: state };

    case "partial": {
      const k = outcome.firstFailedIndex;
      if (!Number.isInteger(k) || k < 0 || k > last) throw new RangeError(`nextStep: firstFailedIndex ${k} must be in [0, ${last}]`);
      const attempts = (k > 0 ? 0 : state.attempts) + 1;
      if (exhausted(attempts)) return { type: "discard", from: k, through: last, condition: DISCARD_CONDITION.RETRIES_EXHAUSTED, invokeCount: attempts, retry: FRESH_RETRY_STATE };
      return { type: "retry", through: k > 0 ? k - 1 : null, retry: { attempts, pendingSizes: [] } };
    }

    case "failed": {
      if (policy.bisectBatchOnFunctionError && batchLength > 1) {
        const first = Math.ceil(batchLength / 2);
        return { type: "retry", through: null, retry: { attempts: state.attempts, pendingSizes: [first, batchLength - first, ...state.pendingSizes.slice(1)] } };
      }
      const attempts = state.attempts + 1;
      if (exhausted(attempts)) {
        return { type: "discard", from: 0, through: last, condition: DISCARD_CONDITION.RETRIES_EXHAUSTED, invokeCount: attempts, retry: { attempts: 0, pendingSizes: state.pendingSizes.slice(1) } };
      }
      return { type: "retry", through: null, retry: { attempts, pendingSizes: state.pendingSizes } };
    }
  }
}

/** How many leading records are older than MaximumRecordAgeInSeconds at `now` (0 when it is −1). */
export function expiredPrefix(arrivalsMs: readonly number[], now: number, maximumRecordAgeInSeconds: number): number {
  if (maximumRecordAgeInSeconds === -1) return 0;
  let n = 0;
  while (n < arrivalsMs.length && now - arrivalsMs[n]! > maximumRecordAgeInSeconds * 1000) n++;
  return n;
}
