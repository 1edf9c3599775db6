/**
 * What the ledger stores and answers, independent of any store. One entry per
 * record per provider day; the pipeline's shared state; the day's counters.
 */
import { PAUSE_REASONS, type PauseReason } from "../windows/closed-because";

export const LEDGER_STATUS = {
  /** Claimed under a lease: a call is (or was, if the caller crashed) in flight. */
  IN_PROGRESS: "in-progress",
  DONE: "done",
  /** The last attempt failed; claimable again while attempts < maxAttempts. */
  FAILED: "failed",
  /** Never claimed again this provider day. */
  DEAD: "dead",
  /**
   * Fetched, but its landing failed: the body waits in the item and the record
   * is never fetched again today; a later delivery lands the kept body.
   */
  LANDING: "landing",
} as const;
export type LedgerStatus = (typeof LEDGER_STATUS)[keyof typeof LEDGER_STATUS];
export const LEDGER_STATUSES: readonly LedgerStatus[] = Object.values(LEDGER_STATUS);

export interface LedgerEntry {
  recordId: string;
  /** Provider-local day, YYYY-MM-DD. */
  day: string;
  status: LedgerStatus;
  /** Claims so far this provider day, crashed ones included (each may have cost a call). */
  attempts: number;
  /** Epoch ms until which the claim blocks others; null unless in progress. */
  leaseUntil: number | null;
  /** Epoch ms before which a failed record is not claimed again (its retry backoff); null when none. */
  notBefore: number | null;
  /** Whether the current or last claim came from an ad-hoc (adviser-requested) ingestion. */
  adHoc: boolean;
  lastError: string | null;
  /** What the worker reported on success, if anything. */
  metadata: Record<string, unknown> | null;
  /** The stream record's payload, kept when the record went dead (for a redrive); undefined when none was kept. */
  payload?: unknown;
  /** Landings of a kept body tried so far (status landing), the worker's own first try included. */
  landingAttempts: number;
  /** A fetched body is kept in the item, waiting to land. */
  bodyKept: boolean;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  updatedAt: number;
  /** Epoch seconds (the DynamoDB TTL attribute): end of the provider day + ttlDays. */
  expiresAt: number;
}

/**
 * Why a claim was refused: done, dead, leased (another claim's call may still run),
 * landing (fetched already; its body waits to land), backing-off (failed, and its retry
 * backoff has not passed: notBefore says until when).
 */
export const CLAIM_REFUSALS = ["done", "dead", "leased", "landing", "backing-off"] as const;
export type ClaimRefusal = (typeof CLAIM_REFUSALS)[number];

export type ClaimResult =
  | { claimed: true; entry: LedgerEntry }
  | {
      claimed: false;
      reason: ClaimRefusal;
      entry: LedgerEntry;
      /** This claim found the record exhausted (an expired last-attempt lease) and marked it dead: count it once. */
      becameDead: boolean;
    };

/** Why a pipeline is paused: the vocabulary of runtime/windows/closed-because.ts. */
export { PAUSE_REASONS, type PauseReason };

export interface Pause {
  reason: PauseReason;
  /** Epoch ms. */
  since: number;
  /** Operator who paused, for reason "operator". */
  by?: string;
  /** The operator's reason; for "auth", the provider's answer. */
  note?: string;
  /** Mapping batch size to resume at instead of the controller's, e.g. a gentle restart after maintenance. */
  resumeMappingBatchSize?: number;
}

/** The pipeline's shared state, saved with optimistic concurrency. */
export interface PipelineState {
  /** The controller's JSON state; opaque to the ledger. */
  controller: unknown;
  pause: Pause | null;
  /** Epoch ms. */
  updatedAt: number;
  /** Epoch ms of the schedule's last sweep for records near their expiry while the pipeline was held (see ventilator/expiry.ts). */
  sweptAt?: number;
}

export interface VersionedPipelineState {
  state: PipelineState;
  /** Starts at 1 with the first save; pass it back to `savePipeline`. */
  version: number;
}

export interface OperatorAction {
  /** e.g. "pause", "resume", "reset-breaker". */
  action: string;
  by: string;
  reason: string;
  /** Epoch ms. */
  at: number;
}

/** Counts of one batch; the adHoc* fields count the part requested by a person (`sluice enqueue --ad-hoc`). */
export interface DayCounts {
  done?: number;
  failed?: number;
  dead?: number;
  adHocDone?: number;
  adHocFailed?: number;
  adHocDead?: number;
}

export const DAY_COUNT_NAMES = ["done", "failed", "dead", "adHocDone", "adHocFailed", "adHocDead"] as const;

export interface DayStats {
  /** Provider calls reserved against the daily limit (refunds deducted). */
  requests: number;
  done: number;
  failed: number;
  dead: number;
  /** Of done / failed / dead, those requested ad hoc. */
  adHocDone: number;
  adHocFailed: number;
  adHocDead: number;
}

/** A fetched body waiting in the ledger for its landing. */
export interface KeptBody {
  body: string;
  /** Where it lands (e.g. the S3 key). */
  key: string;
  contentType?: string;
}

/** Options of a transition that may end a record dead: what to keep for a redrive. */
export interface DeadKeep {
  /** The stream record's payload; kept up to MAX_KEPT_PAYLOAD_BYTES. */
  payload?: unknown;
}
