/**
 * DynamoDB Local for tests: one engine per mocha process, started lazily by
 * the first suite that asks for it and stopped after the whole run (a root
 * `after` hook; the engine's own exit hook kills Java if the run is cut short).
 *
 *   describe("...", () => {
 *     const dynamo = useDynamoDbLocal();
 *     it("...", async () => { const table = dynamo.tableName("ledger"); ... dynamo.client ... });
 *   });
 */
import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoClient } from "../../runtime/aws/clients";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../local/engines/dynamodb";

export interface DynamoDbLocalHandle {
  /** Valid once the suite's `before` hooks ran. */
  readonly endpoint: string;
  /** The production client factory pointed at the engine. */
  readonly client: DynamoDBClient;
  /** A table name no other test of this process uses (the table is not created). */
  tableName(prefix?: string): string;
}

let engine: Promise<{ local: DynamoDbLocal; client: DynamoDBClient }> | null = null;
let tables = 0;

function ensureStarted() {
  engine ??= startDynamoDbLocal().then((local) => ({ local, client: dynamoClient({ endpoint: local.endpoint }) }));
  return engine;
}

// Loaded while mocha reads the spec files, so this hook lands on the root suite: it runs once, after every file.
if (typeof after === "function") {
  after(async function () {
    this.timeout(10_000);
    if (!engine) return;
    const started = engine;
    engine = null;
    // A start that failed already failed the suites that needed it; nothing to stop.
    const running = await started.catch(() => null);
    if (!running) return;
    running.client.destroy();
    await running.local.stop();
  });
}

export function useDynamoDbLocal(): DynamoDbLocalHandle {
  let current: { local: DynamoDbLocal; client: DynamoDBClient } | null = null;
  before(async function () {
    // Java starts in 2–5 s, slower when other processes share the machine.
    this.timeout(60_000);
    current = await ensureStarted();
  });
  const started = () => {
    if (!current) throw new Error("useDynamoDbLocal: the engine is available inside tests and hooks only, after the suite's before hooks");
    return current;
  };
  return {
    get endpoint() {
      return started().local.endpoint;
    },
    get client() {
      return started().client;
    },
    tableName(prefix = "test") {
      return `${prefix}-${++tables}-${randomBytes(4).toString("hex")}`;
    },
  };
}
