/**
 * The storage port the ledger's rules are written against. It is shaped like
 * a key-value store with conditional writes, nothing more: items of flat
 * attributes under a (pk, sk) key, writes guarded by a small condition
 * language, and a refused write answers with the item as it was (so a rule
 * can classify the refusal without a second read).
 *
 * Adapters: DynamoDB (dynamodb-store.ts) and memory (memory-store.ts). Both
 * apply each call atomically and evaluate conditions with DynamoDB's
 * semantics: a comparison with a missing attribute or a value of another type
 * is false, except `<>`, which is true.
 */
import { SluiceError } from "../errors";

export type AttrValue = string | number | boolean;
/** An item's attributes, without its key. */
export type Item = Readonly<Record<string, AttrValue>>;

export interface ItemKey {
  pk: string;
  sk: string;
}

export interface KeyedItem {
  key: ItemKey;
  item: Item;
}

export type Comparison = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type Condition =
  /** No item under the key. */
  | { kind: "absent" }
  /** An item exists under the key. */
  | { kind: "present" }
  | { kind: "has"; field: string }
  | { kind: "lacks"; field: string }
  | { kind: "compare"; field: string; op: Comparison; value: AttrValue }
  | { kind: "and"; of: readonly Condition[] }
  | { kind: "or"; of: readonly Condition[] };

/** Condition builders, so rules read like the condition they express. */
export const when = {
  absent: (): Condition => ({ kind: "absent" }),
  present: (): Condition => ({ kind: "present" }),
  has: (field: string): Condition => ({ kind: "has", field }),
  lacks: (field: string): Condition => ({ kind: "lacks", field }),
  eq: (field: string, value: AttrValue): Condition => ({ kind: "compare", field, op: "=", value }),
  ne: (field: string, value: AttrValue): Condition => ({ kind: "compare", field, op: "<>", value }),
  lt: (field: string, value: AttrValue): Condition => ({ kind: "compare", field, op: "<", value }),
  le: (field: string, value: AttrValue): Condition => ({ kind: "compare", field, op: "<=", value }),
  ge: (field: string, value: AttrValue): Condition => ({ kind: "compare", field, op: ">=", value }),
  and: (...of: Condition[]): Condition => ({ kind: "and", of }),
  or: (...of: Condition[]): Condition => ({ kind: "or", of }),
};

/**
 * One update, applied atomically; every right-hand side reads the item as it
 * was before the update. An update of a missing item creates it.
 */
export interface Changes {
  set?: Record<string, AttrValue>;
  /** Set only where the attribute is missing (e.g. createdAt). */
  setIfMissing?: Record<string, AttrValue>;
  /** `field` takes the old value of `from`, or `fallback` when it had none (remembering a previous status). */
  copy?: Record<string, { from: string; fallback: AttrValue }>;
  /** Numeric increments; a missing attribute counts as 0. */
  add?: Record<string, number>;
  remove?: readonly string[];
}

/** A write either happened (with the item as it now is) or its condition refused it (with the item as it was). */
export type WriteResult = { ok: true; item: Item } | { ok: false; current: Item | null };

export interface QueryOptions {
  limit: number;
  /** Highest sort key first. */
  descending?: boolean;
}

export interface LedgerStore {
  /** Strongly consistent read. */
  get(key: ItemKey): Promise<Item | null>;
  /** Replaces the whole item. */
  put(key: ItemKey, item: Item, condition?: Condition): Promise<WriteResult>;
  update(key: ItemKey, changes: Changes, condition?: Condition): Promise<WriteResult>;
  /** `item` of an ok result is the deleted item ({} if there was none). */
  delete(key: ItemKey, condition?: Condition): Promise<WriteResult>;
  /** Items of one partition in sort-key order. */
  query(pk: string, options: QueryOptions): Promise<KeyedItem[]>;
}

export const STORE_OPERATIONS = ["get", "put", "update", "delete", "query"] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** Thrown by adapters for anything but a refused condition; the Ledger turns it into LedgerUnavailableError. */
export class StoreUnavailableError extends SluiceError {
  constructor(
    readonly storeOperation: StoreOperation,
    readonly key: ItemKey | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
