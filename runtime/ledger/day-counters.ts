/**
 * A provider day's counters in one item: calls reserved against the daily
 * limit (never past it), and what the day's batches moved on (done, failed, dead).
 */
import { LedgerContentionError, LedgerInputError } from "./errors";
import { F, readDayStats } from "./items";
import type { LedgerScope } from "./scope";
import { when } from "./store";
import { DAY_COUNT_NAMES, type DayCounts, type DayStats } from "./types";

/** A reservation shrinks on every conflict without refunds, so this only stops a refund storm. */
const MAX_COUNTER_ROUNDS = 100;

export class DayCounters {
  constructor(private readonly scope: LedgerScope) {}

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
    const key = this.scope.countersKey(day);
    let grant = Math.min(wanted, limit);
    for (let round = 0; round < MAX_COUNTER_ROUNDS; round++) {
      if (grant <= 0) return 0;
      const result = await this.scope.io("reserveRequests", () =>
        this.scope.store.update(key, { add: { requests: grant }, set: { updatedAt: now, [F.expiresAt]: this.scope.expiresAt(day) } }, when.or(when.lacks("requests"), when.le("requests", limit - grant))),
      );
      if (result.ok) return grant;
      grant = Math.min(wanted, limit - readDayStats(key, result.current).requests);
    }
    throw new LedgerContentionError("reserveRequests", day, MAX_COUNTER_ROUNDS);
  }
  /** Gives back reserved calls that were never made; never takes the counter below 0. Returns what was refunded. */
  async refundRequests(day: string, n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 0) throw new LedgerInputError("n", n, "an integer ≥ 0");
    const key = this.scope.countersKey(day);
    let refund = n;
    for (let round = 0; round < MAX_COUNTER_ROUNDS; round++) {
      if (refund <= 0) return 0;
      const result = await this.scope.io("refundRequests", () => this.scope.store.update(key, { add: { requests: -refund } }, when.ge("requests", refund)));
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
    const key = this.scope.countersKey(day);
    await this.scope.io("addDayCounts", () => this.scope.store.update(key, { add, set: { [F.expiresAt]: this.scope.expiresAt(day) } }));
  }
  async dayStats(day: string): Promise<DayStats> {
    const key = this.scope.countersKey(day);
    return readDayStats(key, await this.scope.io("dayStats", () => this.scope.store.get(key)));
  }}
