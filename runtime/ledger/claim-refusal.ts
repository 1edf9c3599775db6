/**
 * What a refused claim means, read from the item the store returned with the
 * refusal (DynamoDB's ALL_OLD), with no second read:
 *
 *   done | dead | landing                          → that, not claimed
 *   in-progress, lease not ended                   → leased
 *   failed, attempts left, notBefore > now         → backing-off
 *   in-progress, lease ended (nothing recorded)    → dead: an outcome nobody knows
 *   failed, no attempts left (a lowered cap)       → dead: attempts exhausted
 *
 * Making it dead is one conditional write on exactly the state judged:
 * anyone who changed it since decided first.
 */
import { LedgerUnavailableError } from "./errors";
import type { DeadRecords } from "./dead-records";
import { F, readEntry } from "./items";
import type { LedgerScope } from "./scope";
import { when, type Item, type ItemKey } from "./store";
import { LEDGER_STATUS, type ClaimResult, type DeadKeep } from "./types";

/** The reason a record goes dead when a claim finds an expired lease (see record-ledger.ts). */
export const LEASE_EXPIRED_OUTCOME_UNKNOWN =
  "outcome unknown: a claim's lease ended with no result recorded (its invocation or worker died mid-call); the provider may have served it, so it is not fetched again today: redrive it if it was not";

export async function claimRefused(scope: LedgerScope, dead: DeadRecords, key: ItemKey, current: Item | null, now: number, keep: DeadKeep): Promise<ClaimResult> {
  // A refusal returns the item; an absent item would have been claimable, so a store without ALL_OLD is misbehaving.
  if (current === null) throw new LedgerUnavailableError("claim", "update", scope.settings.providerId, key, { detail: "the store refused the claim but returned no item" });
  const entry = readEntry(key, current);
  if (entry.status === LEDGER_STATUS.DONE) return { claimed: false, reason: "done", entry, becameDead: false };
  if (entry.status === LEDGER_STATUS.DEAD) return { claimed: false, reason: "dead", entry, becameDead: false };
  if (entry.status === LEDGER_STATUS.LANDING) return { claimed: false, reason: "landing", entry, becameDead: false };
  if (entry.status === LEDGER_STATUS.IN_PROGRESS && entry.leaseUntil !== null && entry.leaseUntil >= now) return { claimed: false, reason: "leased", entry, becameDead: false };
  if (entry.status === LEDGER_STATUS.FAILED && entry.attempts < scope.settings.maxAttempts && entry.notBefore !== null && entry.notBefore > now) {
    return { claimed: false, reason: "backing-off", entry, becameDead: false };
  }
  // Refused yet neither done, dead, landing, leased nor backing off: an expired lease (an outcome nobody knows),
  // or no attempts left (a failure under a since-lowered cap).
  const reason = entry.status === LEDGER_STATUS.IN_PROGRESS ? LEASE_EXPIRED_OUTCOME_UNKNOWN : `attempts exhausted (${entry.attempts} of ${scope.settings.maxAttempts})`;
  const recordId = entry.recordId;
  await dead.index("claim", recordId, entry.day, now);
  const result = await scope.io("claim", () =>
    scope.store.update(
      key,
      { set: { [F.status]: LEDGER_STATUS.DEAD, [F.updatedAt]: now, ...dead.fields(reason, keep) }, remove: [F.leaseUntil, F.prevStatus, F.claimId, F.notBefore] },
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
