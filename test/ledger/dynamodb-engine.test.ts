import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { dynamoClient } from "../../runtime/aws/clients";
import { DynamoDbEngineError, startDynamoDbLocal } from "../../local/engines/dynamodb";
import { DynamoDbLedgerStore } from "../../runtime/ledger/dynamodb-store";
import { LedgerUnavailableError } from "../../runtime/ledger/errors";
import { Ledger } from "../../runtime/ledger/ledger";
import { StoreUnavailableError } from "../../runtime/ledger/store";
import { BILLING_MODE, createLedgerTable, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from "../../runtime/ledger/table";
import { useDynamoDbLocal } from "../support/dynamodb";
import { eventually } from "../support/eventually";

const SETTINGS = { providerId: "acme", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("DynamoDB Local engine and ledger table", function () {
  const dynamo = useDynamoDbLocal();

  it("refuses to start on a port another engine holds instead of answering with that engine", async function () {
    this.timeout(30_000);
    const port = Number(new URL(dynamo.endpoint).port);
    try {
      const stray = await startDynamoDbLocal({ port });
      await stray.stop();
      expect.fail("started on a port that was taken");
    } catch (error) {
      expect(error).to.be.instanceOf(DynamoDbEngineError);
      expect((error as Error).message).to.match(/bind|Address already in use/i);
    }
  });

  it("starts on a free port of its own and kills Java on stop", async function () {
    this.timeout(60_000);
    const engine = await startDynamoDbLocal();
    expect(engine.endpoint).to.not.equal(dynamo.endpoint);
    const client = dynamoClient({ endpoint: engine.endpoint, maxAttempts: 1 });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).to.deep.equal([]);
      expect(isAlive(engine.pid)).to.equal(true);
      await engine.stop();
      expect(isAlive(engine.pid)).to.equal(false);
      let refused = false;
      await client.send(new ListTablesCommand({})).catch(() => (refused = true));
      expect(refused).to.equal(true);
      await engine.stop();
    } finally {
      client.destroy();
    }
  });

  it("creates the ledger table with the agreed keys, on demand, TTL on expiresAt, and tolerates an existing one", async () => {
    const tableName = dynamo.tableName("table");
    await createLedgerTable(dynamo.client, tableName);
    await createLedgerTable(dynamo.client, tableName);
    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).to.deep.equal([
      { AttributeName: PARTITION_KEY, KeyType: "HASH" },
      { AttributeName: SORT_KEY, KeyType: "RANGE" },
    ]);
    expect(Table?.AttributeDefinitions).to.have.deep.members([
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).to.equal(BILLING_MODE);
    const ttl = await dynamo.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).to.deep.include({ AttributeName: TTL_ATTRIBUTE, TimeToLiveStatus: "ENABLED" });
  });

  it("stores the TTL attribute as an epoch-seconds number on the record item", async () => {
    const tableName = dynamo.tableName("ttl");
    await createLedgerTable(dynamo.client, tableName);
    const ledger = new Ledger(new DynamoDbLedgerStore({ client: dynamo.client, tableName }), SETTINGS);
    await ledger.claim("r1", "2097-01-31", Date.UTC(2097, 0, 31, 12));
    const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: "R#r1" }, sk: { S: "D#2097-01-31" } } }));
    expect(Item?.[TTL_ATTRIBUTE]).to.deep.equal({ N: String(Date.UTC(2097, 1, 8) / 1000) });
  });

  it("turns a store it cannot reach into LedgerUnavailableError naming the operation, never an SDK error", async () => {
    const client = dynamoClient({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    try {
      const ledger = new Ledger(new DynamoDbLedgerStore({ client, tableName: "ledger" }), SETTINGS);
      const error = await ledger.claim("r1", "2097-01-31", Date.UTC(2097, 0, 31)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(LedgerUnavailableError);
      expect(error).to.include({ operation: "claim", storeOperation: "update", providerId: "acme" });
      expect((error as LedgerUnavailableError).key).to.deep.equal({ pk: "R#r1", sk: "D#2097-01-31" });
      expect((error as Error).cause).to.be.instanceOf(StoreUnavailableError);
    } finally {
      client.destroy();
    }
  });

  it("turns a missing table into LedgerUnavailableError", async () => {
    const ledger = new Ledger(new DynamoDbLedgerStore({ client: dynamo.client, tableName: dynamo.tableName("missing") }), SETTINGS);
    const error = await ledger.dayStats("2097-01-31").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LedgerUnavailableError);
    expect((error as Error).message).to.contain("ResourceNotFoundException");
  });
});

describe("DynamoDB Local engine left running by its owner", function () {
  async function javaPidOfOrphan(mode: "exit" | "wait"): Promise<{ javaPid: number; owner: ChildProcess; ownerExit: Promise<void> }> {
    const owner = spawn(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "fixtures", "orphan-engine.ts"), mode], { stdio: ["ignore", "pipe", "ignore"] });
    const ownerExit = new Promise<void>((resolve) => owner.once("exit", () => resolve()));
    const javaPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      owner.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(Number(out.trim()));
      });
      void ownerExit.then(() => reject(new Error(`owner exited before printing the Java pid: ${out}`)));
    });
    return { javaPid, owner, ownerExit };
  }

  /** Waits up to 5 s for the process to be gone; false if it is still there. */
  function gone(pid: number): Promise<boolean> {
    return eventually(`process ${pid} to exit`, () => !isAlive(pid), 5_000, 100).then(
      () => true,
      () => false,
    );
  }


  it("kills Java when the owning process exits without stopping it, or is terminated", async function () {
    this.timeout(90_000);
    const [exiting, terminated] = await Promise.all([javaPidOfOrphan("exit"), javaPidOfOrphan("wait")]);
    await exiting.ownerExit;
    expect(await gone(exiting.javaPid), "after a normal exit").to.equal(true);
    expect(isAlive(terminated.javaPid)).to.equal(true);
    terminated.owner.kill("SIGTERM");
    await terminated.ownerExit;
    expect(terminated.owner.signalCode).to.equal("SIGTERM");
    expect(await gone(terminated.javaPid), "after SIGTERM").to.equal(true);
  });
});
