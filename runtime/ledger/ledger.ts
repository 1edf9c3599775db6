/**
 * The ledger's rules, in one place: a record is fetched at most once per
 * provider day, within `maxAttempts` claims, each claim under a lease. The
 * store (DynamoDB, memory) only stores; every decision is taken here, and
 * every decision that races with another invocation is one conditional write.
 *
 * A claim succeeds, as ONE conditional write, when
 *
 *   no entry  OR  (status = failed AND attempts < maxAttempts AND (no notBefore OR notBefore ≤ now))
 *
 * and sets status = in-progress, attempts += 1, leaseUntil = now + leaseSeconds.
 * A failure that leaves attempts sets the retry backoff
 *
 *   notBefore = now + max(min(cap, base × 2^(attempts − 1)), min(retryAfter, RETRY_AFTER_CAP_MS)),
 *   base = retryBackoffSeconds, cap = max(BACKOFF_CAP_MS, base)
 *
 * so one short blip cannot spend every attempt within seconds.
 * A claim counts as an attempt even if its caller crashes (its call may have
 * reached the provider). A refused claim is classified from the item the
 * store returns with the refusal (DynamoDB's ALL_OLD), with no second read.
 *
 * A lease that ended with no result recorded is an attempt whose outcome
 * nobody knows: its invocation and its worker died mid-call (a worker that
 * fetched records its success itself, see workers/ledger-guard). The provider
 * may have served it, so the claim that finds it makes it dead on the spot,
 * with the payload it was given: never fetched twice, never lost, and an
 * operator's redrive fetches it again once it is known not to have been served.
 * Each claim writes a claimId of its own. A store error does not say whether
 * the write was applied (a DynamoDB 500, a connection lost after sending), and
 * a retried write that was applied the first time is refused by its own
 * result: in both cases the claim reads the item back, and an item holding
 * its claimId is its claim.
 *
 * Transitions after a claim:
 * - complete: done, from any state but done. A late completion (our lease
 *   expired and another invocation re-claimed) still marks done: the call did
 *   succeed, the record must not be fetched again today, and attempts are left
 *   as they are. The re-claimer's own completion or failure is then refused
 *   (LedgerConflictError carrying the done entry) and it must not count the
 *   record a second time.
 * - fail / release: only by the invocation that claimed, and only while its
 *   claim is still the current one. The claim is identified by its attempt
 *   number (each successful claim adds one), which this Ledger instance
 *   remembers from its own `claim`. A late failure after a re-claim is
 *   refused: marking the record failed would let a third invocation claim it
 *   while the second is still calling.
 * - markDead: from any state but done, with or without a claim.
 * - keepForLanding: the call fetched, its landing failed: landing, with the
 *   body kept in the item (never fetched again today). claimLanding counts
 *   each later landing try (landingAttempts < maxAttempts), complete ends it.
 * - redrive: an operator's second chance for a dead record: back to failed with
 *   no attempts spent (or to landing, when it keeps a body).
 * Every transition to dead first writes the record's key under the day's dead
 * index (`DEAD#day`), so a day's dead records are one query away; a refused
 * transition leaves a stale index entry, which listDead filters out.
 *
 * Every `now` is epoch milliseconds from the caller's injected clock; `day`
 * is the provider-local day (YYYY-MM-DD) the caller computed.
 *
 * One Ledger instance per invocation: its remembered claims are that
 * invocation's (a Lambda container reuses it across sequential invocations,
 * which is fine; the simulator gives each concurrent ventilator its own).
 */
import type { Provider } from "../catalog/provider";
import { randomUUID } from "node:crypto";
import { LedgerConflictError, LedgerContentionError, LedgerInputError, LedgerUnavailableError } from "./errors";
import { expiresAtFor, isValidZone } from "./expiry";
import { auditItem, F, NO_PREVIOUS, pipelineItem, readAudit, readClaimMemo, readDayStats, readEntry, readKeptBody, readPipeline, type ClaimMemo } from "./items";
import { keepText, MAX_KEPT_BODY_BYTES, MAX_KEPT_PAYLOAD_BYTES } from "./kept-text";
import { AUDIT_PARTITION, auditKey, dayCountersKey, deadIndexKey, deadIndexPartition, PIPELINE_KEY, recordKey } from "./layout";
import { StoreUnavailableError, when, type Condition, type Item, type ItemKey, type LedgerStore, type WriteResult } from "./store";
import {
  DAY_COUNT_NAMES,
  LEDGER_STATUS,
  type ClaimResult,
  type DayCounts,
  type DayStats,
  type DeadKeep,
  type KeptBody,
  type LedgerEntry,
  type OperatorAction,
  type PipelineState,
  type VersionedPipelineState,
} from "./types";

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
  /** First retry backoff of a failed record, in seconds (see the header). @default 0 (none) */
  retryBackoffSeconds?: number;
}

/** The ledger settings of a catalog provider (catalog defaults already filled). */
export function ledgerSettings(provider: Provider): Required<LedgerSettings> {
  return {
    providerId: provider.id,
    maxAttempts: provider.maxAttempts,
    leaseSeconds: provider.ledger.leaseSeconds,
    ttlDays: provider.ledger.ttlDays,
    timezone: provider.timezone,
    retryBackoffSeconds: provider.ledger.retryBackoffSeconds,
  };
}

/** The reason a record goes dead when a claim finds an expired lease (see the header). */
export const LEASE_EXPIRED_OUTCOME_UNKNOWN =
  "outcome unknown: a claim's lease ended with no result recorded (its invocation or worker died mid-call); the provider may have served it, so it is not fetched again today: redrive it if it was not";

/** Audit entries of one action in the same millisecond get a numeric suffix; past this many something is looping. */
const MAX_AUDIT_DUPLICATES = 100;
/** A reservation shrinks on every conflict without refunds, so this only stops a refund storm. */
const MAX_COUNTER_ROUNDS = 100;
/** Most dead records listDead reads for one day. */
export const MAX_DEAD_LISTED = 100_000;
/** Longest retry backoff from the doubling (a larger retryBackoffSeconds is its own cap). */
export const BACKOFF_CAP_MS = 600_000;
/** Longest a provider's Retry-After can hold a record back. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

export class Ledger {
  readonly settings: Readonly<Required<LedgerSettings>>;
  private readonly leaseMs: number;
  /** Claims this instance made and has not resolved, by recordId + day. */
  private readonly held = new Map<string, ClaimMemo>();
  private readonly claimIds: () => string;

  /** `claimIds`: unique ids for this instance's claims. @default a random UUID prefix and a counter */
  constructor(
    private readonly store: LedgerStore,
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

  // ---- records -------------------------------------------------------------

  /** `keep`: what to keep should the claim find the record out of attempts and end it dead. */
  async claim(recordId: string, day: string, now: number, opts: { adHoc?: boolean } & DeadKeep = {}): Promise<ClaimResult> {
    const key = this.recordKey(recordId, day, now);
    const { maxAttempts } = this.settings;
    const claimable = when.or(
      when.absent(),
      when.and(when.eq(F.status, LEDGER_STATUS.FAILED), when.lt(F.attempts, maxAttempts), when.or(when.lacks(F.notBefore), when.le(F.notBefore, now))),
    );
    const claimId = this.claimIds();
    let result: WriteResult;
    try {
      result = await this.store.update(
        key,
        {
          set: {
            [F.recordId]: recordId,
            [F.day]: day,
            [F.status]: LEDGER_STATUS.IN_PROGRESS,
            [F.leaseUntil]: now + this.leaseMs,
            [F.updatedAt]: now,
            [F.expiresAt]: this.expiresAt(day),
            [F.adHoc]: opts.adHoc ?? false,
            [F.claimId]: claimId,
          },
          setIfMissing: { [F.createdAt]: now },
          copy: { [F.prevStatus]: { from: F.status, fallback: NO_PREVIOUS } },
          add: { [F.attempts]: 1 },
          remove: [F.notBefore],
        },
        claimable,
      );
    } catch (error) {
      // Applied or not? The item says: it holds our claimId only if this claim was written.
      const item = await this.io("claim", () => this.store.get(key)).catch(() => null);
      if (item?.[F.claimId] !== claimId) return this.io("claim", () => Promise.reject(error));
      result = { ok: true, item };
    }
    // A retry of a write that had been applied is refused by its own result.
    if (!result.ok && result.current?.[F.claimId] === claimId) result = { ok: true, item: result.current };
    if (result.ok) {
      this.held.set(heldKey(recordId, day), readClaimMemo(key, result.item)!);
      return { claimed: true, entry: readEntry(key, result.item) };
    }
    return this.refusal(key, result.current, now, opts);
  }

  /**
   * Claims several records of one day with parallel conditional writes (one per
   * record). All or nothing on store errors: if any claim cannot reach the
   * store, the ones that succeeded are released and the error is thrown.
   */
  async claimMany(recordIds: readonly string[], day: string, now: number, opts: { adHoc?: boolean } & DeadKeep = {}): Promise<ClaimResult[]> {
    const settled = await Promise.allSettled(recordIds.map((id) => this.claim(id, day, now, opts)));
    const failure = settled.find((s) => s.status === "rejected");
    if (!failure) return settled.map((s) => (s as PromiseFulfilledResult<ClaimResult>).value);
    await Promise.allSettled(settled.map((s, i) => (s.status === "fulfilled" && s.value.claimed ? this.release(recordIds[i]!, day, now) : undefined)));
    throw failure.reason;
  }

  async complete(recordId: string, day: string, now: number, metadata?: Record<string, unknown>): Promise<LedgerEntry> {
    const key = this.recordKey(recordId, day, now);
    const result = await this.io("complete", () =>
      this.store.update(
        key,
        {
          set: { [F.status]: LEDGER_STATUS.DONE, [F.updatedAt]: now, ...(metadata ? { [F.metadata]: JSON.stringify(metadata) } : {}) },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore, F.body, F.landingKey, F.landingContentType],
        },
        when.and(when.present(), when.ne(F.status, LEDGER_STATUS.DONE)),
      ),
    );
    this.held.delete(heldKey(recordId, day));
    return this.applied("complete", key, recordId, day, result);
  }

  /**
   * Failed, or dead when `permanent` or the claim was the last attempt; `reason` becomes lastError.
   * A failure with attempts left waits out its retry backoff (`retryAfterMs`: the provider's own ask).
   */
  async fail(recordId: string, day: string, now: number, opts: { reason: string; permanent?: boolean; retryAfterMs?: number } & DeadKeep): Promise<LedgerEntry> {
    const key = this.recordKey(recordId, day, now);
    const claim = await this.ownClaim("fail", key, recordId, day);
    const dead = opts.permanent === true || claim.attempts >= this.settings.maxAttempts;
    if (dead) await this.indexDead("fail", recordId, day, now);
    const result = await this.io("fail", () =>
      this.store.update(
        key,
        {
          set: {
            [F.status]: dead ? LEDGER_STATUS.DEAD : LEDGER_STATUS.FAILED,
            [F.lastError]: opts.reason,
            [F.updatedAt]: now,
            ...(dead ? this.deadFields(opts.reason, opts) : { [F.notBefore]: now + this.backoffMs(claim.attempts, opts.retryAfterMs) }),
          },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, ...(dead ? [F.notBefore] : [])],
        },
        this.stillClaimed(claim),
      ),
    );
    this.held.delete(heldKey(recordId, day));
    return this.applied("fail", key, recordId, day, result);
  }

  /** The retry backoff after the `attempts`-th attempt failed (see the header). */
  backoffMs(attempts: number, retryAfterMs?: number): number {
    const base = this.settings.retryBackoffSeconds * 1_000;
    const doubling = Math.min(Math.max(BACKOFF_CAP_MS, base), base * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
    const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.min(retryAfterMs, RETRY_AFTER_CAP_MS) : 0;
    return Math.max(doubling, asked);
  }

  /**
   * Undoes a claim whose call was never made (the invocation ran low on time):
   * the record goes back to what it was before the claim, and the claim does
   * not count as an attempt. Returns null when there was no entry before.
   */
  async release(recordId: string, day: string, now: number): Promise<LedgerEntry | null> {
    const key = this.recordKey(recordId, day, now);
    const claim = await this.ownClaim("release", key, recordId, day);
    const fence = this.stillClaimed(claim);
    let result: WriteResult;
    if (claim.previousStatus === null) {
      result = await this.io("release", () => this.store.delete(key, fence));
    } else {
      // A claim replaces nothing but a failure: the release puts the failure back.
      result = await this.io("release", () =>
        this.store.update(
          key,
          { set: { [F.status]: claim.previousStatus!, [F.updatedAt]: now }, add: { [F.attempts]: -1 }, remove: [F.prevStatus, F.leaseUntil, F.claimId] },
          fence,
        ),
      );
    }
    this.held.delete(heldKey(recordId, day));
    if (!result.ok) throw new LedgerConflictError("release", recordId, day, result.current && readEntry(key, result.current));
    return claim.previousStatus === null ? null : readEntry(key, result.item);
  }

  /**
   * Dead without a call, e.g. a malformed record (recordId may be a synthetic key such as a
   * sequence number), or a fetch that could neither land nor keep its body. A kept body stays.
   */
  async markDead(recordId: string, day: string, now: number, reason: string, keep: DeadKeep = {}): Promise<LedgerEntry> {
    const key = this.recordKey(recordId, day, now);
    await this.indexDead("markDead", recordId, day, now);
    const result = await this.io("markDead", () =>
      this.store.update(
        key,
        {
          set: { [F.recordId]: recordId, [F.day]: day, [F.status]: LEDGER_STATUS.DEAD, [F.updatedAt]: now, [F.expiresAt]: this.expiresAt(day), ...this.deadFields(reason, keep) },
          setIfMissing: { [F.createdAt]: now, [F.attempts]: 0, [F.adHoc]: false },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore],
        },
        when.ne(F.status, LEDGER_STATUS.DONE),
      ),
    );
    this.held.delete(heldKey(recordId, day));
    return this.applied("markDead", key, recordId, day, result);
  }

  /**
   * The call fetched the record but its landing failed: the body waits in the item
   * (status landing) and the record is never fetched again today. From any state but
   * done, like complete (a late answer still fetched it). `kept: false` when the body
   * is too large to keep: nothing was written.
   */
  async keepForLanding(recordId: string, day: string, now: number, landing: KeptBody & { reason: string }): Promise<{ kept: true; entry: LedgerEntry } | { kept: false; bytes: number }> {
    const key = this.recordKey(recordId, day, now);
    const body = keepText(landing.body, MAX_KEPT_BODY_BYTES);
    if (body === null) return { kept: false, bytes: Buffer.byteLength(landing.body, "utf8") };
    const result = await this.io("keepForLanding", () =>
      this.store.update(
        key,
        {
          set: {
            [F.recordId]: recordId,
            [F.day]: day,
            [F.status]: LEDGER_STATUS.LANDING,
            [F.body]: body,
            [F.landingKey]: landing.key,
            ...(landing.contentType ? { [F.landingContentType]: landing.contentType } : {}),
            [F.landingAttempts]: 1,
            [F.lastError]: landing.reason,
            [F.updatedAt]: now,
            [F.expiresAt]: this.expiresAt(day),
          },
          setIfMissing: { [F.createdAt]: now, [F.attempts]: 1, [F.adHoc]: false },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore],
        },
        when.ne(F.status, LEDGER_STATUS.DONE),
      ),
    );
    this.held.delete(heldKey(recordId, day));
    if (!result.ok) throw new LedgerConflictError("keepForLanding", recordId, day, result.current && readEntry(key, result.current));
    return { kept: true, entry: readEntry(key, result.item) };
  }

  /**
   * Counts one more try at landing a kept body: refused (with the entry) unless the record is
   * landing with landingAttempts < maxAttempts. No lease: landing the same body twice writes the same object.
   */
  async claimLanding(recordId: string, day: string, now: number): Promise<{ claimed: boolean; entry: LedgerEntry | null }> {
    const key = this.recordKey(recordId, day, now);
    const result = await this.io("claimLanding", () =>
      this.store.update(
        key,
        { set: { [F.updatedAt]: now }, add: { [F.landingAttempts]: 1 } },
        when.and(when.eq(F.status, LEDGER_STATUS.LANDING), when.or(when.lacks(F.landingAttempts), when.lt(F.landingAttempts, this.settings.maxAttempts))),
      ),
    );
    if (result.ok) return { claimed: true, entry: readEntry(key, result.item) };
    return { claimed: false, entry: result.current && readEntry(key, result.current) };
  }

  /** The body a landing record keeps, with where it lands; null when it keeps none. */
  async keptBody(recordId: string, day: string): Promise<KeptBody | null> {
    const key = this.recordKey(recordId, day, 0);
    const item = await this.io("keptBody", () => this.store.get(key));
    return item && readKeptBody(key, item);
  }

  /** The day's dead records, up to MAX_DEAD_LISTED (the dead index, each entry read back: only those still dead). */
  async listDead(day: string): Promise<LedgerEntry[]> {
    this.expiresAt(day);
    const index = await this.io("listDead", () => this.store.query(deadIndexPartition(day), { limit: MAX_DEAD_LISTED }));
    const entries = await Promise.all(index.map(({ key }) => this.entry(key.sk, day)));
    return entries.filter((e): e is LedgerEntry => e?.status === LEDGER_STATUS.DEAD);
  }

  /**
   * An operator's second chance for a dead record: failed with no attempts spent, so the next
   * delivery fetches it again (or landing, when it keeps a fetched body, so it lands without a
   * fetch). Refused (LedgerConflictError) unless it is dead. The payload stays for the caller to re-send.
   */
  async redrive(recordId: string, day: string, now: number): Promise<LedgerEntry> {
    const key = this.recordKey(recordId, day, now);
    const item = await this.io("redrive", () => this.store.get(key));
    const landing = item?.[F.body] !== undefined;
    const result = await this.io("redrive", () =>
      this.store.update(
        key,
        landing
          ? { set: { [F.status]: LEDGER_STATUS.LANDING, [F.landingAttempts]: 0, [F.updatedAt]: now }, add: { [F.redrives]: 1 } }
          : { set: { [F.status]: LEDGER_STATUS.FAILED, [F.attempts]: 0, [F.updatedAt]: now }, add: { [F.redrives]: 1 }, remove: [F.notBefore] },
        when.eq(F.status, LEDGER_STATUS.DEAD),
      ),
    );
    if (!result.ok) throw new LedgerConflictError("redrive", recordId, day, result.current && readEntry(key, result.current), "only a dead record can be redriven");
    return readEntry(key, result.item);
  }

  async entry(recordId: string, day: string): Promise<LedgerEntry | null> {
    const key = this.recordKey(recordId, day, 0);
    const item = await this.io("entry", () => this.store.get(key));
    return item && readEntry(key, item);
  }

  // ---- pipeline state and operator audit -------------------------------------

  async loadPipeline(): Promise<VersionedPipelineState | null> {
    const item = await this.io("loadPipeline", () => this.store.get(PIPELINE_KEY));
    return item && readPipeline(PIPELINE_KEY, item);
  }

  /**
   * Saves if nobody saved since `expectedVersion` was loaded (null: nothing
   * was saved yet). False on a conflict: reload and decide again, e.g. the
   * loser of two invocations claiming the one half-open probe.
   */
  async savePipeline(state: PipelineState, expectedVersion: number | null): Promise<boolean> {
    if (expectedVersion !== null && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) throw new LedgerInputError("expectedVersion", expectedVersion, "null or an integer ≥ 1");
    const condition = expectedVersion === null ? when.absent() : when.eq("version", expectedVersion);
    const result = await this.io("savePipeline", () => this.store.put(PIPELINE_KEY, pipelineItem(state, (expectedVersion ?? 0) + 1), condition));
    return result.ok;
  }

  /** Append-only: never overwrites an earlier action, even one in the same millisecond. */
  async recordOperatorAction(action: OperatorAction): Promise<void> {
    if (!action.action) throw new LedgerInputError("action.action", action.action, "a non-empty action name");
    if (!Number.isFinite(action.at)) throw new LedgerInputError("action.at", action.at, "epoch milliseconds");
    for (let duplicate = 0; duplicate < MAX_AUDIT_DUPLICATES; duplicate++) {
      const key = auditKey(action.at, action.action, duplicate);
      const result = await this.io("recordOperatorAction", () => this.store.put(key, auditItem(action), when.absent()));
      if (result.ok) return;
    }
    throw new LedgerContentionError("recordOperatorAction", new Date(action.at).toISOString(), MAX_AUDIT_DUPLICATES);
  }

  /** Newest first. */
  async listOperatorActions(limit: number): Promise<OperatorAction[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new LedgerInputError("limit", limit, "an integer ≥ 1");
    const items = await this.io("listOperatorActions", () => this.store.query(AUDIT_PARTITION, { limit, descending: true }));
    return items.map(({ key, item }) => readAudit(key, item));
  }

  // ---- daily counters ---------------------------------------------------------

  /**
   * Reserves provider calls against the day's limit:
   *
   *   granted = min(wanted, limit − used), written as ADD granted IF used ≤ limit − granted
   *
   * optimistic: the first write asks for all of `wanted`; a refusal returns
   * the current `used` (ALL_OLD) and the next write asks for what is left.
   * The counter never passes the limit. 0 when the day is exhausted.
   */
  async reserveRequests(day: string, wanted: number, limit: number, now: number): Promise<number> {
    if (!Number.isInteger(wanted) || wanted < 0) throw new LedgerInputError("wanted", wanted, "an integer ≥ 0");
    if (!Number.isInteger(limit) || limit < 0) throw new LedgerInputError("limit", limit, "an integer ≥ 0");
    const key = this.countersKey(day);
    let grant = Math.min(wanted, limit);
    for (let round = 0; round < MAX_COUNTER_ROUNDS; round++) {
      if (grant <= 0) return 0;
      const result = await this.io("reserveRequests", () =>
        this.store.update(key, { add: { requests: grant }, set: { updatedAt: now, [F.expiresAt]: this.expiresAt(day) } }, when.or(when.lacks("requests"), when.le("requests", limit - grant))),
      );
      if (result.ok) return grant;
      grant = Math.min(wanted, limit - readDayStats(key, result.current).requests);
    }
    throw new LedgerContentionError("reserveRequests", day, MAX_COUNTER_ROUNDS);
  }

  /** Gives back reserved calls that were never made; never takes the counter below 0. Returns what was refunded. */
  async refundRequests(day: string, n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 0) throw new LedgerInputError("n", n, "an integer ≥ 0");
    const key = this.countersKey(day);
    let refund = n;
    for (let round = 0; round < MAX_COUNTER_ROUNDS; round++) {
      if (refund <= 0) return 0;
      const result = await this.io("refundRequests", () => this.store.update(key, { add: { requests: -refund } }, when.ge("requests", refund)));
      if (result.ok) return refund;
      refund = Math.min(n, readDayStats(key, result.current).requests);
    }
    throw new LedgerContentionError("refundRequests", day, MAX_COUNTER_ROUNDS);
  }

  /** One atomic ADD per batch. */
  async addDayCounts(day: string, counts: DayCounts): Promise<void> {
    const add: Record<string, number> = {};
    for (const name of DAY_COUNT_NAMES) {
      const n = counts[name] ?? 0;
      if (!Number.isInteger(n) || n < 0) throw new LedgerInputError(`counts.${name}`, n, "an integer ≥ 0");
      if (n > 0) add[name] = n;
    }
    if (Object.keys(add).length === 0) return;
    const key = this.countersKey(day);
    await this.io("addDayCounts", () => this.store.update(key, { add, set: { [F.expiresAt]: this.expiresAt(day) } }));
  }

  async dayStats(day: string): Promise<DayStats> {
    const key = this.countersKey(day);
    return readDayStats(key, await this.io("dayStats", () => this.store.get(key)));
  }

  // ---- helpers ------------------------------------------------------------------

  private async refusal(key: ItemKey, current: Item | null, now: number, keep: DeadKeep): Promise<ClaimResult> {
    // A refusal returns the item; an absent item would have been claimable, so a store without ALL_OLD is misbehaving.
    if (current === null) throw new LedgerUnavailableError("claim", "update", this.settings.providerId, key, { detail: "the store refused the claim but returned no item" });
    const entry = readEntry(key, current);
    if (entry.status === LEDGER_STATUS.DONE) return { claimed: false, reason: "done", entry, becameDead: false };
    if (entry.status === LEDGER_STATUS.DEAD) return { claimed: false, reason: "dead", entry, becameDead: false };
    if (entry.status === LEDGER_STATUS.LANDING) return { claimed: false, reason: "landing", entry, becameDead: false };
    if (entry.status === LEDGER_STATUS.IN_PROGRESS && entry.leaseUntil !== null && entry.leaseUntil >= now) return { claimed: false, reason: "leased", entry, becameDead: false };
    if (entry.status === LEDGER_STATUS.FAILED && entry.attempts < this.settings.maxAttempts && entry.notBefore !== null && entry.notBefore > now) {
      return { claimed: false, reason: "backing-off", entry, becameDead: false };
    }
    // Refused yet neither done, dead, landing, leased nor backing off: an expired lease (an outcome nobody knows),
    // or no attempts left (a failure under a since-lowered cap).
    const reason = entry.status === LEDGER_STATUS.IN_PROGRESS ? LEASE_EXPIRED_OUTCOME_UNKNOWN : `attempts exhausted (${entry.attempts} of ${this.settings.maxAttempts})`;
    const recordId = entry.recordId;
    await this.indexDead("claim", recordId, entry.day, now);
    const result = await this.io("claim", () =>
      this.store.update(
        key,
        { set: { [F.status]: LEDGER_STATUS.DEAD, [F.updatedAt]: now, ...this.deadFields(reason, keep) }, remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore] },
        // Exactly the state we judged: anyone who changed it since decided first.
        when.and(when.eq(F.status, entry.status), when.eq(F.attempts, entry.attempts), entry.leaseUntil === null ? when.lacks(F.leaseUntil) : when.eq(F.leaseUntil, entry.leaseUntil)),
      ),
    );
    if (result.ok) return { claimed: false, reason: "dead", entry: readEntry(key, result.item), becameDead: true };
    const latest = result.current && readEntry(key, result.current);
    if (latest?.status === LEDGER_STATUS.DONE) return { claimed: false, reason: "done", entry: latest, becameDead: false };
    if (latest?.status === LEDGER_STATUS.DEAD) return { claimed: false, reason: "dead", entry: latest, becameDead: false };
    // Someone else moved it (released it back, say): report it busy; the record stays in the stream for a later try.
    return { claimed: false, reason: "leased", entry: latest ?? entry, becameDead: false };
  }

  /**
   * The claim a fail/release acts on: only one this instance made. A claim
   * read back from the store could be another invocation's, and failing or
   * releasing that would free the record while its call is still running.
   */
  private async ownClaim(operation: "fail" | "release", key: ItemKey, recordId: string, day: string): Promise<ClaimMemo> {
    const mine = this.held.get(heldKey(recordId, day));
    if (mine) return mine;
    const item = await this.io(operation, () => this.store.get(key));
    throw new LedgerConflictError(operation, recordId, day, item && readEntry(key, item), "this invocation holds no claim on it");
  }

  /** Index first: a dead record must be listable; an index entry whose transition was refused is filtered by listDead. */
  private async indexDead(operation: string, recordId: string, day: string, now: number): Promise<void> {
    await this.io(operation, () => this.store.put(deadIndexKey(day, recordId), { recordId, at: now, [F.expiresAt]: this.expiresAt(day) }));
  }

  /** A dead record's reason and payload; a payload too large to keep even gzipped is named in the reason instead. */
  private deadFields(reason: string, keep: DeadKeep): Record<string, string> {
    if (keep.payload === undefined) return { [F.lastError]: reason };
    const text = JSON.stringify(keep.payload);
    const kept = keepText(text, MAX_KEPT_PAYLOAD_BYTES);
    if (kept !== null) return { [F.lastError]: reason, [F.payload]: kept };
    return { [F.lastError]: `${reason} (its payload of ${Buffer.byteLength(text, "utf8")} bytes was too large to keep: re-enqueue it from its source)` };
  }

  private stillClaimed(claim: ClaimMemo): Condition {
    const fence = [when.eq(F.status, LEDGER_STATUS.IN_PROGRESS), when.eq(F.attempts, claim.attempts)];
    return when.and(...fence, ...(claim.claimId ? [when.eq(F.claimId, claim.claimId)] : []));
  }

  private applied(operation: LedgerConflictError["operation"], key: ItemKey, recordId: string, day: string, result: WriteResult): LedgerEntry {
    if (!result.ok) throw new LedgerConflictError(operation, recordId, day, result.current && readEntry(key, result.current));
    return readEntry(key, result.item);
  }

  private recordKey(recordId: string, day: string, now: number): ItemKey {
    if (typeof recordId !== "string" || recordId.length === 0) throw new LedgerInputError("recordId", recordId, "a non-empty string");
    if (!Number.isFinite(now)) throw new LedgerInputError("now", now, "epoch milliseconds");
    this.expiresAt(day);
    return recordKey(recordId, day);
  }

  private countersKey(day: string): ItemKey {
    this.expiresAt(day);
    return dayCountersKey(day);
  }

  private expiresAt(day: string): number {
    return expiresAtFor(day, this.settings.timezone, this.settings.ttlDays);
  }

  /** Store failures become LedgerUnavailableError naming the ledger operation; refused conditions are results, not errors. */
  private async io<T>(operation: string, call: () => Promise<T>): Promise<T> {
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

function heldKey(recordId: string, day: string): string {
  return `${recordId}\n${day}`;
}
