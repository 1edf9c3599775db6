/**
 * The stores every ledger rule test runs on: the same tests, once in memory,
 * once on DynamoDB Local through the production adapter.
 */
import { createLedgerTable } from "../../runtime/ledger/table";
import { DynamoDbLedgerStore } from "../../runtime/ledger/dynamodb-store";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import type { LedgerStore } from "../../runtime/ledger/store";
import { useDynamoDbLocal, type DynamoDbLocalHandle } from "../support/dynamodb";

export const STORE_KINDS = ["memory", "dynamodb"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreFixture {
  /** A store over an empty table. */
  fresh(): Promise<LedgerStore>;
  /** Set for the DynamoDB store. */
  dynamo: DynamoDbLocalHandle | null;
}

/** Call inside a describe: registers the engine's hooks for the DynamoDB kind. */
export function storeFixture(kind: StoreKind): StoreFixture {
  // A macrotask before each call, so concurrent callers interleave as they would against a real store.
  if (kind === "memory") return { fresh: async () => new MemoryLedgerStore({ delay: () => new Promise((resolve) => setImmediate(resolve)) }), dynamo: null };
  const dynamo = useDynamoDbLocal();
  return {
    dynamo,
    fresh: async () => {
      const tableName = dynamo.tableName("ledger");
      await createLedgerTable(dynamo.client, tableName);
      return new DynamoDbLedgerStore({ client: dynamo.client, tableName });
    },
  };
}
