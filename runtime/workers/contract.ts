/**
 * What a worker receives and answers. A worker fetches one record from its
 * provider; it never throws for a provider failure, it classifies it.
 *
 * The answers a worker's own code gives (the contract a user-defined worker
 * will implement):
 *   ok                 the record was fetched; `landing` is what to land (sluice lands it)
 *   throttled          the provider pushed back (429); `retryAfterMs` when it said how long
 *   error              transient: retry later (5xx, network)
 *   timeout            no complete answer within the worker's own deadline
 *   permanent          retrying cannot help (other 4xx): the record ends dead with the reason
 *   auth               the provider refused the credential (401/403): the whole provider is
 *                      paused until an operator resumes it; no attempt and no budget is spent
 * A failure says `providerCalled: false` when the provider was certainly not
 * called (a credential that could not be read): the attempt is given back.
 *
 * sluice's guard (ledger-guard.ts) wraps the worker and adds one answer of its own:
 *   landing            fetched, but the landing failed: the body is kept in the ledger
 *                      (`kept`) and lands on a later delivery, never fetched again today
 */
export interface WorkerRequest {
  providerId: string;
  recordId: string;
  /** Provider-local day the record is fetched for (YYYY-MM-DD); names where results land. */
  day: string;
  payload?: unknown;
  /**
   * "land": the record was fetched already and its body waits in the ledger: land it,
   * call nothing. @default "fetch"
   */
  mode?: "fetch" | "land";
}

export const FAILURE_KINDS = ["error", "throttled", "timeout", "permanent", "auth", "landing"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** A fetched body for sluice to land (e.g. in S3 under the provider's prefix and day). */
export interface Landing {
  key: string;
  body: string;
  contentType?: string;
}

export type WorkerResponse =
  /**
   * `recorded`: the worker's ledger guard already marked the record done.
   * `landing`: from the worker's own code to the guard only; the guard lands it and drops it from its answer.
   */
  | { ok: true; metadata?: Record<string, unknown>; recorded?: boolean; landing?: Landing }
  | {
      ok: false;
      kind: FailureKind;
      reason: string;
      /** throttled: how long the provider asked to wait. */
      retryAfterMs?: number;
      /** false: the provider was certainly not called. @default true */
      providerCalled?: boolean;
      /** landing: the guard kept the fetched body in the ledger. */
      kept?: boolean;
    };

export type WorkerHandler = (request: WorkerRequest) => Promise<WorkerResponse>;

/** Validates a worker answer arriving as JSON; anything else is an error the ventilator can classify. */
export function isWorkerResponse(value: unknown): value is WorkerResponse {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return true;
  return v.ok === false && typeof v.reason === "string" && (FAILURE_KINDS as readonly unknown[]).includes(v.kind);
}
