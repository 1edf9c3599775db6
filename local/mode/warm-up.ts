/**
 * DynamoDB Local runs on a cold JVM: its first few hundred requests are
 * several times slower than later ones (measured at 10 in flight: 350 ms per
 * write at first, 60 ms after about 400 writes). A pipeline that met that
 * latency first would see every call as slow and shrink its fan-out limit for no
 * reason of the provider's. So the ledger's own writes (claim, complete) run on a scratch
 * table until the engine is warm, before any pipeline starts.
 */
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDbLedgerStore } from "../../runtime/ledger/dynamodb-store";
import { Ledger } from "../../runtime/ledger/ledger";
import { createLedgerTable } from "../../runtime/ledger/table";
import type { LocalEngines } from "../engines";

const TABLE = "sluice-local-warm-up";
const RECORDS = 200;
const CONCURRENCY = 10;

export async function warmUp(engines: LocalEngines): Promise<void> {
  await createLedgerTable(engines.dynamo, TABLE);
  const ledger = new Ledger(new DynamoDbLedgerStore({ tableName: TABLE, client: engines.dynamo }), {
    providerId: "warm-up",
    maxAttempts: 3,
    leaseSeconds: 60,
    ttlDays: 1,
  });
  const day = "2000-01-01";
  let next = 0;
  const worker = async () => {
    while (next < RECORDS) {
      const id = `warm-${next++}`;
      await ledger.claim(id, day, Date.now());
      await ledger.complete(id, day, Date.now());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await engines.dynamo.send(new DeleteTableCommand({ TableName: TABLE }));
}
