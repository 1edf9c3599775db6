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
 * reached the provider). A refused claim is classified (claim-refusal.ts) from the item the
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
 * Dead records and their index: dead-records.ts; kept bodies: kept-landings.ts.
 *
 * Every `now` is epoch milliseconds from the caller's injected clock; `day`
 * is the provider-local day (YYYY-MM-DD) the caller computed.
 *
 * One Ledger instance per invocation: its remembered claims are that
 * invocation's (a Lambda container reuses it across sequential invocations,
 * which is fine; the simulator gives each concurrent ventilator its own).
 */
import { LedgerConflictError } from "./errors";
import { F, NO_PREVIOUS, readClaimMemo, readEntry, type ClaimMemo } from "./items";
import { claimRefused } from "./claim-refusal";
import type { DeadRecords } from "./dead-records";
import { appliedEntry, type LedgerScope } from "./scope";
import { when, type Condition, type ItemKey, type WriteResult } from "./store";
import { LEDGER_STATUS, type ClaimResult, type DeadKeep, type LedgerEntry } from "./types";

export { LEASE_EXPIRED_OUTCOME_UNKNOWN } from "./claim-refusal";
/** Longest retry backoff from the doubling (a larger retryBackoffSeconds is its own cap). */
export const BACKOFF_CAP_MS = 600_000;
/** Longest a provider's Retry-After can hold a record back. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

export class RecordLedger {
  constructor(
    private readonly scope: LedgerScope,
    private readonly dead: DeadRecords,
  ) {}

  /** `keep`: what to keep should the claim find the record out of attempts and end it dead. */
  async claim(recordId: string, day: string, now: number, opts: { adHoc?: boolean } & DeadKeep = {}): Promise<ClaimResult> {
    const key = this.scope.recordKey(recordId, day, now);
    const { maxAttempts } = this.scope.settings;
    const claimable = when.or(
      when.absent(),
      when.and(when.eq(F.status, LEDGER_STATUS.FAILED), when.lt(F.attempts, maxAttempts), when.or(when.lacks(F.notBefore), when.le(F.notBefore, now))),
    );
    const claimId = this.scope.claimIds();
    let result: WriteResult;
    try {
      result = await this.scope.store.update(
        key,
        {
          set: {
            [F.recordId]: recordId,
            [F.day]: day,
            [F.status]: LEDGER_STATUS.IN_PROGRESS,
            [F.leaseUntil]: now + this.scope.leaseMs,
            [F.updatedAt]: now,
            [F.expiresAt]: this.scope.expiresAt(day),
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
      const item = await this.scope.io("claim", () => this.scope.store.get(key)).catch(() => null);
      if (item?.[F.claimId] !== claimId) return this.scope.io("claim", () => Promise.reject(error));
      result = { ok: true, item };
    }
    // A retry of a write that had been applied is refused by its own result.
    if (!result.ok && result.current?.[F.claimId] === claimId) result = { ok: true, item: result.current };
    if (result.ok) {
      this.scope.held.set(this.scope.heldKey(recordId, day), readClaimMemo(key, result.item)!);
      return { claimed: true, entry: readEntry(key, result.item) };
    }
    return claimRefused(this.scope, this.dead, key, result.current, now, opts);
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
    const key = this.scope.recordKey(recordId, day, now);
    const result = await this.scope.io("complete", () =>
      this.scope.store.update(
        key,
        {
          set: { [F.status]: LEDGER_STATUS.DONE, [F.updatedAt]: now, ...(metadata ? { [F.metadata]: JSON.stringify(metadata) } : {}) },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore, F.body, F.landingKey, F.landingContentType],
        },
        when.and(when.present(), when.ne(F.status, LEDGER_STATUS.DONE)),
      ),
    );
    this.scope.held.delete(this.scope.heldKey(recordId, day));
    return appliedEntry("complete", key, recordId, day, result);
  }
  /**
   * Failed, or dead when `permanent` or the claim was the last attempt; `reason` becomes lastError.
   * A failure with attempts left waits out its retry backoff (`retryAfterMs`: the provider's own ask).
   */
  async fail(recordId: string, day: string, now: number, opts: { reason: string; permanent?: boolean; retryAfterMs?: number } & DeadKeep): Promise<LedgerEntry> {
    const key = this.scope.recordKey(recordId, day, now);
    const claim = await this.ownClaim("fail", key, recordId, day);
    const dead = opts.permanent === true || claim.attempts >= this.scope.settings.maxAttempts;
    if (dead) await this.dead.index("fail", recordId, day, now);
    const result = await this.scope.io("fail", () =>
      this.scope.store.update(
        key,
        {
          set: {
            [F.status]: dead ? LEDGER_STATUS.DEAD : LEDGER_STATUS.FAILED,
            [F.lastError]: opts.reason,
            [F.updatedAt]: now,
            ...(dead ? this.dead.fields(opts.reason, opts) : { [F.notBefore]: now + this.backoffMs(claim.attempts, opts.retryAfterMs) }),
          },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, ...(dead ? [F.notBefore] : [])],
        },
        this.stillClaimed(claim),
      ),
    );
    this.scope.held.delete(this.scope.heldKey(recordId, day));
    return appliedEntry("fail", key, recordId, day, result);
  }
  /** The retry backoff after the `attempts`-th attempt failed (see the header). */
  backoffMs(attempts: number, retryAfterMs?: number): number {
    const base = this.scope.settings.retryBackoffSeconds * 1_000;
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
    const key = this.scope.recordKey(recordId, day, now);
    const claim = await this.ownClaim("release", key, recordId, day);
    const fence = this.stillClaimed(claim);
    let result: WriteResult;
    if (claim.previousStatus === null) {
      result = await this.scope.io("release", () => this.scope.store.delete(key, fence));
    } else {
      // A claim replaces nothing but a failure: the release puts the failure back.
      result = await this.scope.io("release", () =>
        this.scope.store.update(
          key,
          { set: { [F.status]: claim.previousStatus!, [F.updatedAt]: now }, add: { [F.attempts]: -1 }, remove: [F.prevStatus, F.leaseUntil, F.claimId] },
          fence,
        ),
      );
    }
    this.scope.held.delete(this.scope.heldKey(recordId, day));
    if (!result.ok) throw new LedgerConflictError("release", recordId, day, result.current && readEntry(key, result.current));
    return claim.previousStatus === null ? null : readEntry(key, result.item);
  }
  async entry(recordId: string, day: string): Promise<LedgerEntry | null> {
    const key = this.scope.recordKey(recordId, day, 0);
    const item = await this.scope.io("entry", () => this.scope.store.get(key));
    return item && readEntry(key, item);
  }

  /**
   * The claim a fail/release acts on: only one this instance made. A claim
   * read back from the store could be another invocation's, and failing or
   * releasing that would free the record while its call is still running.
   */
  async ownClaim(operation: "fail" | "release", key: ItemKey, recordId: string, day: string): Promise<ClaimMemo> {
    const mine = this.scope.held.get(this.scope.heldKey(recordId, day));
    if (mine) return mine;
    const item = await this.scope.io(operation, () => this.scope.store.get(key));
    throw new LedgerConflictError(operation, recordId, day, item && readEntry(key, item), "this invocation holds no claim on it");
  }
  stillClaimed(claim: ClaimMemo): Condition {
    const fence = [when.eq(F.status, LEDGER_STATUS.IN_PROGRESS), when.eq(F.attempts, claim.attempts)];
    return when.and(...fence, ...(claim.claimId ? [when.eq(F.claimId, claim.claimId)] : []));
  }}
