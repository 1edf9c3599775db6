/**
 * The ledger store in memory, for the simulator and fast tests. Each call
 * applies atomically with the same condition semantics as DynamoDB: without a
 * `delay`, synchronously within the call; with one, after it, in one step.
 * The delay lets tests and the simulator interleave concurrent callers.
 */
import { applyChanges, matches } from "./conditions";
import type { Changes, Condition, Item, ItemKey, KeyedItem, LedgerStore, QueryOptions, WriteResult } from "./store";

export interface AppliedWrite {
  key: ItemKey;
  before: Item | null;
  /** null after a delete. */
  after: Item | null;
}

export interface MemoryLedgerStoreOptions {
  /** Awaited before each call takes effect, e.g. a scheduler's yield or a simulated latency. @default none */
  delay?: () => Promise<void>;
  /** Told synchronously of every write that took effect (refused writes are not writes). */
  onWrite?: (write: AppliedWrite) => void;
}

export class MemoryLedgerStore implements LedgerStore {
  private readonly partitions = new Map<string, Map<string, Item>>();

  constructor(private readonly options: MemoryLedgerStoreOptions = {}) {}

  async get(key: ItemKey): Promise<Item | null> {
    if (this.options.delay) await this.options.delay();
    return this.read(key);
  }

  async put(key: ItemKey, item: Item, condition?: Condition): Promise<WriteResult> {
    if (this.options.delay) await this.options.delay();
    return this.write(key, condition, () => ({ ...item }));
  }

  async update(key: ItemKey, changes: Changes, condition?: Condition): Promise<WriteResult> {
    if (this.options.delay) await this.options.delay();
    return this.write(key, condition, (before) => applyChanges(before, changes));
  }

  async delete(key: ItemKey, condition?: Condition): Promise<WriteResult> {
    if (this.options.delay) await this.options.delay();
    return this.write(key, condition, () => null);
  }

  async query(pk: string, { limit, descending = false }: QueryOptions): Promise<KeyedItem[]> {
    if (this.options.delay) await this.options.delay();
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    // Code-unit order equals DynamoDB's byte order for the ASCII sort keys the ledger writes.
    const keys = [...partition.keys()].sort();
    if (descending) keys.reverse();
    return keys.slice(0, limit).map((sk) => ({ key: { pk, sk }, item: { ...partition.get(sk)! } }));
  }

  /** Every item, for inspection (simulator reports, tests). */
  items(): KeyedItem[] {
    return [...this.partitions].flatMap(([pk, partition]) => [...partition].map(([sk, item]) => ({ key: { pk, sk }, item: { ...item } })));
  }

  private read(key: ItemKey): Item | null {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item ? { ...item } : null;
  }

  /** Check and write with no await in between: this is what makes each call atomic. */
  private write(key: ItemKey, condition: Condition | undefined, next: (before: Item | null) => Item | null): WriteResult {
    const before = this.read(key);
    if (condition && !matches(before, condition)) return { ok: false, current: before };
    const after = next(before);
    if (after === null) this.partitions.get(key.pk)?.delete(key.sk);
    else {
      let partition = this.partitions.get(key.pk);
      if (!partition) this.partitions.set(key.pk, (partition = new Map()));
      partition.set(key.sk, after);
    }
    this.options.onWrite?.({ key, before, after: after && { ...after } });
    return { ok: true, item: after ? { ...after } : (before ?? {}) };
  }
}
