/**
 * The ventilator's ports. The batch lifecycle depends only on these; the AWS
 * adapters (runtime/aws) and the in-memory ones (simulator, tests) implement them.
 */
import type { Outcome } from "../controller/types";
import type { WorkerRequest } from "../workers/contract";

/** One worker call as the ventilator saw it, including failures of the invoke itself. */
export interface InvokeResult {
  outcome: Outcome | "permanent";
  latencyMs: number;
  /** Why it failed (FunctionError message, HTTP status, ...); absent on ok. */
  reason?: string;
  /** The worker's ledger guard already marked the record done (see WorkerRequest.leaseToken). */
  recorded?: boolean;
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
export interface LedgerPort {
  claim(recordId: string, day: string, now: number, opts?: { adHoc?: boolean }): Promise<
    { claimed: true } | { claimed: false; reason: "done" | "dead" | "leased" }
  >;
  complete(recordId: string, day: string, now: number, metadata?: Record<string, unknown>): Promise<unknown>;
  fail(recordId: string, day: string, now: number, error: { reason: string; permanent?: boolean }): Promise<{ status: string }>;
  markDead(recordId: string, day: string, now: number, reason: string): Promise<unknown>;
  loadPipeline(): Promise<{ state: PipelineSnapshot; version: number } | null>;
  savePipeline(state: PipelineSnapshot, expectedVersion: number | null): Promise<boolean>;
  reserveRequests(day: string, wanted: number, limit: number, now: number): Promise<number>;
  refundRequests(day: string, n: number): Promise<unknown>;
  addDayCounts(day: string, counts: { done?: number; failed?: number; dead?: number }): Promise<unknown>;
}

export const PAUSE_REASONS = ["outside-window", "maintenance", "daily-limit", "operator"] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface PauseSnapshot {
  reason: PauseReason;
  since: number;
  by?: string;
  note?: string;
  resumeBatchSize?: number;
}

/** The pipeline item: controller state (opaque JSON for the ledger) and why the pipeline is paused. */
export interface PipelineSnapshot {
  controller: unknown;
  pause: PauseSnapshot | null;
  updatedAt: number;
}
