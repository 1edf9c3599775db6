/**
 * Dead records: the end of a record that will not be fetched again today (a
 * permanent failure, attempts spent, an outcome nobody knows, a malformed
 * record), with its payload and last reason, so an operator can redrive it.
 * Every transition to dead first writes the record's key under the day's dead
 * index (`DEAD#day`), so a day's dead records are one query away; a refused
 * transition leaves a stale index entry, which listDead filters out.
 */
import { LedgerConflictError } from "./errors";
import { F, readEntry } from "./items";
import { keepText, MAX_KEPT_PAYLOAD_BYTES } from "./kept-text";
import { deadIndexKey, deadIndexPartition } from "./layout";
import { appliedEntry, type LedgerScope } from "./scope";
import { when } from "./store";
import { LEDGER_STATUS, type DeadKeep, type LedgerEntry } from "./types";

/** Most dead records listDead reads for one day. */
export const MAX_DEAD_LISTED = 100_000;

export class DeadRecords {
  constructor(private readonly scope: LedgerScope) {}

  /**
   * Dead without a call, e.g. a malformed record (recordId may be a synthetic key such as a
   * sequence number), or a fetch that could neither land nor keep its body. A kept body stays.
   */
  async markDead(recordId: string, day: string, now: number, reason: string, keep: DeadKeep = {}): Promise<LedgerEntry> {
    const key = this.scope.recordKey(recordId, day, now);
    await this.index("markDead", recordId, day, now);
    const result = await this.scope.io("markDead", () =>
      this.scope.store.update(
        key,
        {
          set: { [F.recordId]: recordId, [F.day]: day, [F.status]: LEDGER_STATUS.DEAD, [F.updatedAt]: now, [F.expiresAt]: this.scope.expiresAt(day), ...this.fields(reason, keep) },
          setIfMissing: { [F.createdAt]: now, [F.attempts]: 0, [F.adHoc]: false },
          remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore],
        },
        when.ne(F.status, LEDGER_STATUS.DONE),
      ),
    );
    this.scope.held.delete(this.scope.heldKey(recordId, day));
    return appliedEntry("markDead", key, recordId, day, result);
  }
  /** The day's dead records, up to MAX_DEAD_LISTED (the dead index, each entry read back: only those still dead). */
  async listDead(day: string): Promise<LedgerEntry[]> {
    this.scope.expiresAt(day);
    const index = await this.scope.io("listDead", () => this.scope.store.query(deadIndexPartition(day), { limit: MAX_DEAD_LISTED }));
    const entries = await Promise.all(index.map(({ key }) => this.entry(key.sk, day)));
    return entries.filter((e): e is LedgerEntry => e?.status === LEDGER_STATUS.DEAD);
  }
  /**
   * An operator's second chance for a dead record: failed with no attempts spent, so the next
   * delivery fetches it again (or landing, when it keeps a fetched body, so it lands without a
   * fetch). Refused (LedgerConflictError) unless it is dead. The payload stays for the caller to re-send.
   */
  async redrive(recordId: string, day: string, now: number): Promise<LedgerEntry> {
    const key = this.scope.recordKey(recordId, day, now);
    const item = await this.scope.io("redrive", () => this.scope.store.get(key));
    const landing = item?.[F.body] !== undefined;
    const result = await this.scope.io("redrive", () =>
      this.scope.store.update(
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
  /** Index first: a dead record must be listable; an index entry whose transition was refused is filtered by listDead. */
  async index(operation: string, recordId: string, day: string, now: number): Promise<void> {
    await this.scope.io(operation, () => this.scope.store.put(deadIndexKey(day, recordId), { recordId, at: now, [F.expiresAt]: this.scope.expiresAt(day) }));
  }
  /** A dead record's reason and payload; a payload too large to keep even gzipped is named in the reason instead. */
  fields(reason: string, keep: DeadKeep): Record<string, string> {
    if (keep.payload === undefined) return { [F.lastError]: reason };
    const text = JSON.stringify(keep.payload);
    const kept = keepText(text, MAX_KEPT_PAYLOAD_BYTES);
    if (kept !== null) return { [F.lastError]: reason, [F.payload]: kept };
    return { [F.lastError]: `${reason} (its payload of ${Buffer.byteLength(text, "utf8")} bytes was too large to keep: re-enqueue it from its source)` };
  }
  private async entry(recordId: string, day: string): Promise<LedgerEntry | null> {
    const key = this.scope.recordKey(recordId, day, 0);
    const item = await this.scope.io("entry", () => this.scope.store.get(key));
    return item && readEntry(key, item);
  }
}
