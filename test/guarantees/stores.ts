/** The stores the fault search runs on: a fresh memory store per run, or a fresh table on DynamoDB Local. */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDbLedgerStore } from "../../runtime/ledger/dynamodb-store";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import type { AttrValue, KeyedItem } from "../../runtime/ledger/store";
import { createLedgerTable } from "../../runtime/ledger/table";
import type { StoreFactory } from "./harness/search";

export function memoryStores(): StoreFactory {
  return {
    kind: "memory",
    async fresh() {
      const store = new MemoryLedgerStore();
      return { store, items: async () => store.items() };
    },
  };
}

export function dynamoStores(client: DynamoDBClient, tableName: () => string): StoreFactory {
  return {
    kind: "dynamodb",
    async fresh() {
      const table = tableName();
      await createLedgerTable(client, table);
      return { store: new DynamoDbLedgerStore({ tableName: table, client }), items: () => scanAll(client, table) };
    },
  };
}

async function scanAll(client: DynamoDBClient, table: string): Promise<KeyedItem[]> {
  const found: KeyedItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const attributes of out.Items ?? []) {
      const item: Record<string, AttrValue> = {};
      for (const [name, value] of Object.entries(attributes)) {
        if (name === "pk" || name === "sk") continue;
        if (value.S !== undefined) item[name] = value.S;
        else if (value.N !== undefined) item[name] = Number(value.N);
        else if (value.BOOL !== undefined) item[name] = value.BOOL;
      }
      found.push({ key: { pk: attributes.pk!.S!, sk: attributes.sk!.S! }, item });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}
