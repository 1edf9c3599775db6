/**
 * What every part of the ledger shares for one invocation: the store, the
 * validated settings, the claims this invocation holds, the item keys and
 * their expiry, and one rule for store failures (they become
 * LedgerUnavailableError naming the ledger operation; refused conditions are
 * results, not errors).
 */
import { randomUUID } from "node:crypto";
import { LedgerConflictError, LedgerInputError, LedgerUnavailableError } from "./errors";
import { expiresAtFor, isValidZone } from "./expiry";
import { readEntry, type ClaimMemo } from "./items";
import { dayCountersKey, recordKey } from "./layout";
import { StoreUnavailableError, type ItemKey, type LedgerStore, type WriteResult } from "./store";
import type { LedgerEntry } from "./types";

export interface LedgerSettings {
  providerId: string;
  /** Claims per record per provider day; the last failure (or an expired last lease) makes it dead. */
  maxAttempts: number;
  /** How long a claim blocks other invocations. */
  leaseSeconds: number;
  /** Days an item is kept after its provider day (DynamoDB TTL). */
  ttlDays: number;
  /** IANA zone in which the provider day ends. @default "UTC" */
  timezone?: string;
  /** First retry backoff of a failed record, in seconds (see record-ledger.ts). @default 0 (none) */
  retryBackoffSeconds?: number;
}

export class LedgerScope {
  readonly settings: Readonly<Required<LedgerSettings>>;
  readonly leaseMs: number;
  /** Claims this invocation made and has not resolved, by recordId + day. */
  readonly held = new Map<string, ClaimMemo>();
  readonly claimIds: () => string;

  constructor(
    readonly store: LedgerStore,
    settings: LedgerSettings,
    claimIds?: () => string,
  ) {
    const prefix = randomUUID();
    let n = 0;
    this.claimIds = claimIds ?? (() => `${prefix}/${++n}`);
    const s = { timezone: "UTC", retryBackoffSeconds: 0, ...settings };
    if (typeof s.providerId !== "string" || s.providerId.length === 0) throw new LedgerInputError("settings.providerId", s.providerId, "a non-empty provider id");
    if (!Number.isInteger(s.maxAttempts) || s.maxAttempts < 1) throw new LedgerInputError("settings.maxAttempts", s.maxAttempts, "an integer ≥ 1");
    if (!Number.isFinite(s.leaseSeconds) || s.leaseSeconds <= 0) throw new LedgerInputError("settings.leaseSeconds", s.leaseSeconds, "a number of seconds > 0");
    if (!Number.isInteger(s.ttlDays) || s.ttlDays < 0) throw new LedgerInputError("settings.ttlDays", s.ttlDays, "an integer ≥ 0");
    if (!isValidZone(s.timezone)) throw new LedgerInputError("settings.timezone", s.timezone, "an IANA time zone");
    if (!Number.isFinite(s.retryBackoffSeconds) || s.retryBackoffSeconds < 0) throw new LedgerInputError("settings.retryBackoffSeconds", s.retryBackoffSeconds, "a number of seconds ≥ 0");
    this.settings = Object.freeze(s);
    this.leaseMs = s.leaseSeconds * 1_000;
  }

  heldKey(recordId: string, day: string): string {
    return `${recordId}\n${day}`;
  }

  recordKey(recordId: string, day: string, now: number): ItemKey {
    if (typeof recordId !== "string" || recordId.length === 0) throw new LedgerInputError("recordId", recordId, "a non-empty string");
    if (!Number.isFinite(now)) throw new LedgerInputError("now", now, "epoch milliseconds");
    this.expiresAt(day);
    return recordKey(recordId, day);
  }

  countersKey(day: string): ItemKey {
    this.expiresAt(day);
    return dayCountersKey(day);
  }

  /** Also checks `day` (expiresAtFor refuses anything but YYYY-MM-DD). */
  expiresAt(day: string): number {
    return expiresAtFor(day, this.settings.timezone, this.settings.ttlDays);
  }

  async io<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        throw new LedgerUnavailableError(operation, error.storeOperation, this.settings.providerId, error.key, { cause: error, detail: error.message });
      }
      // Anything else is a bug (an adapter must throw StoreUnavailableError), not an outage: let it surface as is.
      throw error;
    }
  }
}

/** The entry a transition wrote; a refused one throws LedgerConflictError carrying the stored entry. */
export function appliedEntry(operation: LedgerConflictError["operation"], key: ItemKey, recordId: string, day: string, result: WriteResult): LedgerEntry {
  if (!result.ok) throw new LedgerConflictError(operation, recordId, day, result.current && readEntry(key, result.current));
  return readEntry(key, result.item);
}
