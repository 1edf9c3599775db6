/**
 * What a user's worker answers, besides fetching. Each failure is an Error,
 * so a worker may `return` it or `throw` it, from any depth of its own code:
 *
 *   ok(metadata?)                          fetched (what ctx.land was given is landed by sluice)
 *   throttled(reason?, { retryAfterMs })   the provider pushed back; the controller slows down
 *   transient(reason)                      retry later (5xx, network, a body that did not parse)
 *   permanent(reason)                      retrying cannot help: the record ends dead with the reason
 *   authFailed(reason)                     the credential is refused: the provider pauses until an operator resumes it
 *
 * Any other exception a worker lets out is classified `transient` with its
 * message; a worker that overruns its deadline is a `timeout`. sluice maps
 * these onto the worker response the ventilator checks (runtime/workers/contract.ts).
 */
import { SluiceError } from "../../errors";
import type { FailureKind } from "../contract";

export const OUTCOME = {
  THROTTLED: "throttled",
  TRANSIENT: "error",
  TIMEOUT: "timeout",
  PERMANENT: "permanent",
  AUTH: "auth",
} as const satisfies Record<string, Exclude<FailureKind, "landing">>;

export type OutcomeKind = (typeof OUTCOME)[keyof typeof OUTCOME];

/** A classified failure of one record's fetch. */
export class WorkerOutcome extends SluiceError {
  constructor(
    readonly kind: OutcomeKind,
    reason: string,
    /** throttled: how long the provider asked to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

const OK_BRAND = Symbol.for("sluice.worker.ok");

export interface Ok {
  readonly [OK_BRAND]: true;
  /** Kept with the record in the ledger and shown by `sluice worker try`; keep it small. */
  readonly metadata?: Record<string, unknown>;
}

export function ok(metadata?: Record<string, unknown>): Ok {
  return { [OK_BRAND]: true, ...(metadata !== undefined ? { metadata } : {}) };
}

export function isOk(value: unknown): value is Ok {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[OK_BRAND] === true;
}

export function throttled(reason = "the provider throttled the call", opts: { retryAfterMs?: number } = {}): WorkerOutcome {
  const wait = opts.retryAfterMs;
  return new WorkerOutcome(OUTCOME.THROTTLED, reason, wait !== undefined && Number.isFinite(wait) && wait >= 0 ? wait : undefined);
}

export function transient(reason: string): WorkerOutcome {
  return new WorkerOutcome(OUTCOME.TRANSIENT, reason);
}

export function permanent(reason: string): WorkerOutcome {
  return new WorkerOutcome(OUTCOME.PERMANENT, reason);
}

export function authFailed(reason: string): WorkerOutcome {
  return new WorkerOutcome(OUTCOME.AUTH, reason);
}

/** Outcomes are matched by shape too: a bundled worker and sluice may hold two copies of this class. */
export function isWorkerOutcome(value: unknown): value is WorkerOutcome {
  if (value instanceof WorkerOutcome) return true;
  if (!(value instanceof Error)) return false;
  const v = value as Error & { kind?: unknown };
  return (
    v.name === "WorkerOutcome" &&
    typeof v.message === "string" &&
    (Object.values(OUTCOME) as unknown[]).includes(v.kind)
  );
}
