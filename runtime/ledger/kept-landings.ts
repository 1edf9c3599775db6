/**
 * Fetched bodies waiting to land: a call that fetched but whose landing
 * failed keeps the body in the item (status landing), so the record is never
 * fetched again today. claimLanding counts each later landing try
 * (landingAttempts < maxAttempts); complete ends it.
 */
import { LedgerConflictError } from "./errors";
import { F, readEntry, readKeptBody } from "./items";
import { keepText, MAX_KEPT_BODY_BYTES } from "./kept-text";
import type { LedgerScope } from "./scope";
import { when } from "./store";
import { LEDGER_STATUS, type KeptBody, type LedgerEntry } from "./types";

export class KeptLandings {
  constructor(private readonly scope: LedgerScope) {}

  /**
   * The call fetched the record but its landing failed: the body waits in the item
   * (status landing) and the record is never fetched again today. From any state but
   * done, like complete (a late answer still fetched it). `kept: false` when the body
   * is too large to keep: nothing was written.
   */
  async keepForLanding(recordId: string, day: string, now: number, landing: KeptBody & { reason: string }): Promise<{ kept: true; entry: LedgerEntry } | { kept: false; bytes: number }> {
    const key = this.scope.recordKey(recordId, day, now);
    const body = keepText(landing.body, MAX_KEPT_BODY_BYTES);
    if (body === null) return { kept: false, bytes: Buffer.byteLength(landing.body, "utf8") };
    const result = await this.scope.io("keepForLanding", () =>
      this.scope.store.update(
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
            [F.expiresAt]: this.scope.expiresAt(day),
          },
          setIfMissing: { [F.createdAt]: now, [F.attempts]: 1, [F.adHoc]: false },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore],
        },
        when.ne(F.status, LEDGER_STATUS.DONE),
      ),
    );
    this.scope.held.delete(this.scope.heldKey(recordId, day));
    if (!result.ok) throw new LedgerConflictError("keepForLanding", recordId, day, result.current && readEntry(key, result.current));
    return { kept: true, entry: readEntry(key, result.item) };
  }
  /**
   * Counts one more try at landing a kept body: refused (with the entry) unless the record is
   * landing with landingAttempts < maxAttempts. No lease: landing the same body twice writes the same object.
   */
  async claimLanding(recordId: string, day: string, now: number): Promise<{ claimed: boolean; entry: LedgerEntry | null }> {
    const key = this.scope.recordKey(recordId, day, now);
    const result = await this.scope.io("claimLanding", () =>
      this.scope.store.update(
        key,
        { set: { [F.updatedAt]: now }, add: { [F.landingAttempts]: 1 } },
        when.and(when.eq(F.status, LEDGER_STATUS.LANDING), when.or(when.lacks(F.landingAttempts), when.lt(F.landingAttempts, this.scope.settings.maxAttempts))),
      ),
    );
    if (result.ok) return { claimed: true, entry: readEntry(key, result.item) };
    return { claimed: false, entry: result.current && readEntry(key, result.current) };
  }
  /** The body a landing record keeps, with where it lands; null when it keeps none. */
  async keptBody(recordId: string, day: string): Promise<KeptBody | null> {
    const key = this.scope.recordKey(recordId, day, 0);
    const item = await this.scope.io("keptBody", () => this.scope.store.get(key));
    return item && readKeptBody(key, item);
  }}
