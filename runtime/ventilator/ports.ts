/**
 * The ventilator's ports. The batch lifecycle depends only on these; the AWS
 * adapters (runtime/aws) and the in-memory ones (simulator, tests) implement them.
 */
import type { Outcome } from "../controller/types";
import type { Ledger } from "../ledger/ledger";
import type { WorkerRequest } from "../workers/contract";

/**
 * Whether a call may have reached the provider, which decides what the ledger
 * does with its claim:
 *   made      it may have, and the worker is no longer running (it answered, threw, or
 *             Lambda timed it out): the attempt stands
 *   not-made  it certainly did not (a Lambda throttle, a refused request, a worker that
 *             could not read its credential): the claim is released, no attempt is spent
 *   in-doubt  no answer (our own deadline, a connection lost after sending): the worker
 *             may still be running, so the claim is kept until its lease ends
 *   died      the worker died mid-call (Lambda timed it out, its process crashed): the
 *             provider may have served it and nothing recorded it, so the record ends dead
 *             rather than be fetched twice (an operator's redrive fetches it again)
 */
export const CALL_FATES = ["made", "not-made", "in-doubt", "died"] as const;
export type CallFate = (typeof CALL_FATES)[number];

/** One worker call as the ventilator saw it, including failures of the invoke itself. */
export interface InvokeResult {
  outcome: Outcome | "permanent" | "auth" | "landing";
  latencyMs: number;
  /** Why it failed (FunctionError message, HTTP status, ...); absent on ok. */
  reason?: string;
  /** The worker's ledger guard already marked the record done (see workers/ledger-guard). */
  recorded?: boolean;
  /** @default "made" */
  call?: CallFate;
  /** throttled: how long the provider asked to wait. */
  retryAfterMs?: number;
  /** landing: the worker's guard kept the fetched body in the ledger for a later landing. */
  kept?: boolean;
}

export interface WorkerInvoker {
  /** Never rejects: an invoke that fails (FunctionError, SDK error, timeout) resolves to a classified result. */
  invoke(request: WorkerRequest, timeoutMs: number): Promise<InvokeResult>;
}

export const MAPPING_STATES = ["Creating", "Enabling", "Enabled", "Disabling", "Disabled", "Updating", "Deleting"] as const;
export type MappingState = (typeof MAPPING_STATES)[number];

export interface MappingView {
  uuid: string;
  batchSize: number;
  state: MappingState;
}

export interface MappingChange {
  batchSize?: number;
  enabled?: boolean;
}

/**
 * The event source mapping. Implementations cache what they last saw, skip
 * updates that change nothing, and retry ResourceInUse / TooManyRequests with
 * backoff; `applied: false` means the change was not made and should be retried later.
 */
export interface MappingControl {
  get(): Promise<MappingView>;
  update(change: MappingChange): Promise<{ applied: boolean; view: MappingView; reason?: string }>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The ledger operations the ventilator needs (implemented by runtime/ledger's Ledger). */
export type LedgerPort = Pick<
  Ledger,
  | "claim"
  | "complete"
  | "fail"
  | "release"
  | "markDead"
  | "claimLanding"
  | "entry"
  | "loadPipeline"
  | "savePipeline"
  | "reserveRequests"
  | "refundRequests"
  | "addDayCounts"
>;

export type { Pause as PauseSnapshot, PauseReason, PipelineState as PipelineSnapshot } from "../ledger/types";
