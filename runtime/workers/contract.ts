/**
 * What a worker receives and answers. A worker fetches one record from its
 * provider; it never throws for a provider failure, it classifies it.
 */
export interface WorkerRequest {
  providerId: string;
  recordId: string;
  /** Provider-local day the record is fetched for (YYYY-MM-DD); names where results land. */
  day: string;
  payload?: unknown;
}

export const FAILURE_KINDS = ["error", "throttled", "timeout", "permanent"] as const;
/**
 * error: retry later (5xx, network); throttled: the provider pushed back (429);
 * timeout: no answer in time; permanent: retrying cannot help (other 4xx).
 */
export type FailureKind = (typeof FAILURE_KINDS)[number];

export type WorkerResponse =
  /** `recorded`: the worker's ledger guard already marked the record done (see workers/ledger-guard). */
  | { ok: true; metadata?: Record<string, unknown>; recorded?: boolean }
  | { ok: false; kind: FailureKind; reason: string };

export type WorkerHandler = (request: WorkerRequest) => Promise<WorkerResponse>;

/** Validates a worker answer arriving as JSON; anything else is an error the ventilator can classify. */
export function isWorkerResponse(value: unknown): value is WorkerResponse {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return true;
  return v.ok === false && typeof v.reason === "string" && (FAILURE_KINDS as readonly unknown[]).includes(v.kind);
}
