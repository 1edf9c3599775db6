/**
 * The ledger table: its key and TTL attribute names (the infrastructure
 * creates the table with exactly these), and `createLedgerTable` for local
 * mode and tests.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { SluiceError } from "../errors";
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "./layout";

export { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE };
/** DynamoDB attribute type of both keys. */
export const KEY_TYPE = "S";
export const BILLING_MODE = "PAY_PER_REQUEST";

export class LedgerTableError extends SluiceError {
  constructor(
    readonly tableName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`ledger table "${tableName}": ${message}`, options);
  }
}

/**
 * Creates the table on demand with TTL on `expiresAt` and waits until it is
 * ACTIVE. Idempotent: an existing table is fine (its TTL is enabled if it was not).
 */
export async function createLedgerTable(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: BILLING_MODE,
        AttributeDefinitions: [
          { AttributeName: PARTITION_KEY, AttributeType: KEY_TYPE },
          { AttributeName: SORT_KEY, AttributeType: KEY_TYPE },
        ],
        KeySchema: [
          { AttributeName: PARTITION_KEY, KeyType: "HASH" },
          { AttributeName: SORT_KEY, KeyType: "RANGE" },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw new LedgerTableError(tableName, `cannot create: ${(error as Error).message}`, { cause: error });
  }
  await waitUntilActive(client, tableName, timeoutMs);
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === "ENABLED" || status === "ENABLING") {
    const attribute = ttl.TimeToLiveDescription?.AttributeName;
    if (attribute !== TTL_ATTRIBUTE) throw new LedgerTableError(tableName, `TTL is on "${attribute}", expected "${TTL_ATTRIBUTE}"`);
    return;
  }
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) throw new LedgerTableError(tableName, `still ${Table?.TableStatus ?? "unknown"} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
