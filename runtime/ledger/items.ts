/**
 * How ledger values are laid out as store items, and read back with checks:
 * an item that does not read as what it should be is a LedgerDataError, never
 * a silently wrong entry.
 */
import { LedgerDataError } from "./errors";
import { keptText } from "./kept-text";
import type { AttrValue, Item, ItemKey } from "./store";
import { LEDGER_STATUSES, PAUSE_REASONS, type DayStats, type KeptBody, type LedgerEntry, type LedgerStatus, type OperatorAction, type PipelineState } from "./types";

/** Attribute names of a record item. */
export const F = {
  recordId: "recordId",
  day: "day",
  status: "status",
  attempts: "attempts",
  leaseUntil: "leaseUntil",
  adHoc: "adHoc",
  lastError: "lastError",
  metadata: "metadata",
  createdAt: "createdAt",
  updatedAt: "updatedAt",
  expiresAt: "expiresAt",
  /** Status before the current claim, NO_PREVIOUS if there was no item: what `release` restores. */
  prevStatus: "prevStatus",
  /** Identifies the claim an in-progress item holds, so a claim whose answer was lost can tell it is its own. */
  claimId: "claimId",
  notBefore: "notBefore",
  /** JSON of the stream record's payload, kept by keepText (a dead record's, for a redrive). */
  payload: "payload",
  /** A fetched body waiting to land, kept by keepText, with where it lands. */
  body: "body",
  landingKey: "landingKey",
  landingContentType: "landingContentType",
  landingAttempts: "landingAttempts",
  redrives: "redrives",
} as const;

export const NO_PREVIOUS = "none";

/** What a claim replaced, so that `release` can put it back. */
export interface ClaimMemo {
  attempts: number;
  claimId: string | null;
  /** null: there was no item before the claim. */
  previousStatus: LedgerStatus | null;
}

function field<T extends AttrValue>(key: ItemKey, item: Item, name: string, type: "string" | "number" | "boolean", optional: true): T | null;
function field<T extends AttrValue>(key: ItemKey, item: Item, name: string, type: "string" | "number" | "boolean"): T;
function field<T extends AttrValue>(key: ItemKey, item: Item, name: string, type: "string" | "number" | "boolean", optional = false): T | null {
  const value = item[name];
  if (value === undefined && optional) return null;
  if (typeof value !== type) throw new LedgerDataError(key, name, value);
  return value as T;
}

function status(key: ItemKey, value: unknown, name: string): LedgerStatus {
  if (!(LEDGER_STATUSES as readonly unknown[]).includes(value)) throw new LedgerDataError(key, name, value);
  return value as LedgerStatus;
}

function json(key: ItemKey, name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new LedgerDataError(key, name, text);
  }
}

export function readEntry(key: ItemKey, item: Item): LedgerEntry {
  const metadata = field<string>(key, item, F.metadata, "string", true);
  const parsedMetadata = metadata === null ? null : json(key, F.metadata, metadata);
  if (parsedMetadata !== null && (typeof parsedMetadata !== "object" || Array.isArray(parsedMetadata))) throw new LedgerDataError(key, F.metadata, metadata);
  const payload = field<string>(key, item, F.payload, "string", true);
  return {
    recordId: field(key, item, F.recordId, "string"),
    day: field(key, item, F.day, "string"),
    status: status(key, item[F.status], F.status),
    attempts: field(key, item, F.attempts, "number"),
    leaseUntil: field(key, item, F.leaseUntil, "number", true),
    notBefore: field(key, item, F.notBefore, "number", true),
    adHoc: field<boolean>(key, item, F.adHoc, "boolean", true) ?? false,
    lastError: field(key, item, F.lastError, "string", true),
    metadata: parsedMetadata as Record<string, unknown> | null,
    ...(payload === null ? {} : { payload: json(key, F.payload, kept(key, F.payload, payload)) }),
    landingAttempts: field<number>(key, item, F.landingAttempts, "number", true) ?? 0,
    bodyKept: item[F.body] !== undefined,
    createdAt: field(key, item, F.createdAt, "number"),
    updatedAt: field(key, item, F.updatedAt, "number"),
    expiresAt: field(key, item, F.expiresAt, "number"),
  };
}

/** The fetched body an item keeps for its landing; null when it keeps none. */
export function readKeptBody(key: ItemKey, item: Item): KeptBody | null {
  const body = field<string>(key, item, F.body, "string", true);
  if (body === null) return null;
  const contentType = field<string>(key, item, F.landingContentType, "string", true);
  return { body: kept(key, F.body, body), key: field(key, item, F.landingKey, "string"), ...(contentType === null ? {} : { contentType }) };
}

function kept(key: ItemKey, name: string, value: string): string {
  try {
    return keptText(value);
  } catch {
    throw new LedgerDataError(key, name, value.slice(0, 40));
  }
}

/** The claim an in-progress item holds; null when the item does not say what it replaced. */
export function readClaimMemo(key: ItemKey, item: Item): ClaimMemo | null {
  const previous = item[F.prevStatus];
  if (previous === undefined) return null;
  return {
    attempts: field(key, item, F.attempts, "number"),
    claimId: field<string>(key, item, F.claimId, "string", true),
    previousStatus: previous === NO_PREVIOUS ? null : status(key, previous, F.prevStatus),
  };
}

export function pipelineItem(state: PipelineState, version: number): Item {
  return { state: JSON.stringify(state), version, updatedAt: state.updatedAt };
}

export function readPipeline(key: ItemKey, item: Item): { state: PipelineState; version: number } {
  const text = field<string>(key, item, "state", "string");
  const state = json(key, "state", text) as Partial<PipelineState> | null;
  const pause = state?.pause;
  const pauseOk = pause === null || (typeof pause === "object" && (PAUSE_REASONS as readonly unknown[]).includes(pause?.reason) && typeof pause?.since === "number");
  if (!state || typeof state !== "object" || !("controller" in state) || !pauseOk || typeof state.updatedAt !== "number") throw new LedgerDataError(key, "state", text);
  return { state: { ...state, pause: renamedPause(pause) } as PipelineState, version: field(key, item, "version", "number") };
}

/** Pipelines saved before the vocabulary split called the mapping's size to resume at `resumeBatchSize`. */
function renamedPause(pause: Partial<PipelineState["pause"]> | null | undefined): PipelineState["pause"] {
  if (!pause) return null;
  const { resumeBatchSize, ...rest } = pause as NonNullable<PipelineState["pause"]> & { resumeBatchSize?: number };
  return (resumeBatchSize === undefined || rest.resumeMappingBatchSize !== undefined ? rest : { ...rest, resumeMappingBatchSize: resumeBatchSize }) as PipelineState["pause"];
}

export function auditItem(action: OperatorAction): Item {
  return { action: action.action, by: action.by, reason: action.reason, at: action.at };
}

export function readAudit(key: ItemKey, item: Item): OperatorAction {
  return {
    action: field(key, item, "action", "string"),
    by: field(key, item, "by", "string"),
    reason: field(key, item, "reason", "string"),
    at: field(key, item, "at", "number"),
  };
}

export function readDayStats(key: ItemKey, item: Item | null): DayStats {
  const count = (name: keyof DayStats) => (item ? (field<number>(key, item, name, "number", true) ?? 0) : 0);
  return {
    requests: count("requests"),
    done: count("done"),
    failed: count("failed"),
    dead: count("dead"),
    adHocDone: count("adHocDone"),
    adHocFailed: count("adHocFailed"),
    adHocDead: count("adHocDead"),
  };
}
