/**
 * The ledger store as every Lambda execution of the fault search sees it: the
 * real store (memory or DynamoDB Local) behind a view per execution that adds
 * latency in virtual time, the armed DynamoDB faults, and the execution's kill.
 *
 * It also keeps the book the attempts invariant needs: which execution holds
 * which claim, and whether a claim it left behind is excused (its execution
 * was killed, its call's fate was in doubt, or a fault hit its writes) or a bug.
 */
import { LEDGER_STATUS } from "../../../runtime/ledger/types";
import { StoreUnavailableError, type Changes, type Condition, type Item, type ItemKey, type LedgerStore, type QueryOptions, type WriteResult } from "../../../runtime/ledger/store";
import type { Faults, Kill } from "./faults";
import type { VirtualLoop } from "./loop";
import type { Rng } from "./rng";

const CLOSING = new Set<string>([LEDGER_STATUS.DONE, LEDGER_STATUS.DEAD, LEDGER_STATUS.LANDING, LEDGER_STATUS.FAILED]);

/** Record keys as "id|day" (the provider model names calls the same way); null for items not about one record. */
export function recordRef(key: ItemKey): string | null {
  if (key.pk.startsWith("R#") && key.sk.startsWith("D#")) return `${key.pk.slice(2)}|${key.sk.slice(2)}`;
  // A record's entry in the day's dead index: a write that is part of its transition to dead.
  if (key.pk.startsWith("DEAD#")) return `${key.sk}|${key.pk.slice(5)}`;
  return null;
}

export class ClaimBook {
  /** Open claims: record ref → owners that applied a claim and have not seen it resolved. */
  private readonly open = new Map<string, Set<string>>();
  private readonly touched = new Set<string>();
  private readonly doubted = new Set<string>();
  /** Claims whose fate sluice could not know, per record ref. */
  readonly excused = new Map<string, number>();
  /** Claims left behind without an excuse (their record counts them as attempts). */
  readonly leaked = new Map<string, number>();

  /** Claims of `ref` whose execution still runs: their call may be on its way. */
  pending(ref: string): number {
    return this.open.get(ref)?.size ?? 0;
  }

  claimed(owner: string, ref: string): void {
    let owners = this.open.get(ref);
    if (!owners) this.open.set(ref, (owners = new Set()));
    owners.add(owner);
  }

  resolved(ref: string): void {
    this.open.delete(ref);
  }

  faultTouched(owner: string, ref: string): void {
    this.touched.add(`${owner}\n${ref}`);
  }

  inDoubt(owner: string, ref: string): void {
    this.doubted.add(`${owner}\n${ref}`);
  }

  /** The execution ended (returned, failed, or was killed): its open claims are judged. */
  ended(owner: string, killed: boolean): void {
    for (const [ref, owners] of this.open) {
      if (!owners.delete(owner)) continue;
      const tag = `${owner}\n${ref}`;
      const book = killed || this.touched.has(tag) || this.doubted.has(tag) ? this.excused : this.leaked;
      book.set(ref, (book.get(ref) ?? 0) + 1);
      if (owners.size === 0) this.open.delete(ref);
    }
  }
}

export interface StoreWorld {
  loop: VirtualLoop;
  faults: Faults;
  rng: Rng;
  claims: ClaimBook;
  /** Real I/O (DynamoDB Local) goes through loop.track. */
  real: boolean;
}

export class FaultyStore {
  constructor(
    private readonly base: LedgerStore,
    private readonly world: StoreWorld,
  ) {}

  /** The store as one execution sees it. */
  view(owner: string, kill: Kill): LedgerStore {
    const call = async <T>(key: ItemKey | null, op: "get" | "put" | "update" | "delete" | "query", run: () => Promise<T>, write: boolean): Promise<T> => {
      const { loop, faults, rng } = this.world;
      const latency = faults.take("dynamo-slow") ? rng.int(3_000, 40_000) : rng.int(2, 25);
      await kill.guard(loop.sleep(latency));
      const ref = key && recordRef(key);
      if (faults.take("dynamo-reject")) {
        if (ref) this.world.claims.faultTouched(owner, ref);
        throw new StoreUnavailableError(op, key, "ProvisionedThroughputExceededException: injected");
      }
      const lost = write && faults.take("dynamo-lost");
      const result = await (this.world.real ? loop.track(run) : run());
      if (lost) {
        if (ref) this.world.claims.faultTouched(owner, ref);
        return kill.guard(Promise.reject(new StoreUnavailableError(op, key, "InternalServerError: injected after the write applied")));
      }
      return kill.guard(Promise.resolve(result));
    };
    const book = (owner: string, key: ItemKey, changes: Changes | null, result: WriteResult) => {
      const ref = key.pk.startsWith("R#") ? recordRef(key) : null;
      if (!ref || !result.ok) return;
      if (changes === null || changes.add?.attempts === -1 || CLOSING.has(String(result.item.status))) this.world.claims.resolved(ref);
      if (changes?.add?.attempts === 1) this.world.claims.claimed(owner, ref);
    };
    return {
      get: (key) => call(key, "get", () => this.base.get(key), false),
      query: (pk, options: QueryOptions) => call(null, "query", () => this.base.query(pk, options), false),
      put: (key, item: Item, condition?: Condition) => call(key, "put", () => this.base.put(key, item, condition), true),
      update: (key, changes, condition) =>
        call(
          key,
          "update",
          async () => {
            const result = await this.base.update(key, changes, condition);
            book(owner, key, changes, result);
            return result;
          },
          true,
        ),
      delete: (key, condition) =>
        call(
          key,
          "delete",
          async () => {
            const result = await this.base.delete(key, condition);
            book(owner, key, null, result);
            return result;
          },
          true,
        ),
    };
  }
}
