import { expect } from "chai";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { ledgerDynamoClient } from "../../runtime/aws/clients";
import { sendAwsError, startServer, type Fixture } from "./http-fixture";

describe("the ledger's DynamoDB client", () => {
  let server: Fixture;
  let requests = 0;
  let answer: { status: number; type: string } = { status: 500, type: "InternalServerError" };
  before(async () => {
    server = await startServer((_req, res) => {
      requests++;
      sendAwsError(res, answer.status, `com.amazonaws.dynamodb.v20120810#${answer.type}`, "scripted", "json-1.1");
    });
  });
  after(() => server.close());

  const update = () =>
    new UpdateItemCommand({ TableName: "t", Key: { pk: { S: "DAY#x" }, sk: { S: "COUNTERS" } }, UpdateExpression: "ADD requests :n", ExpressionAttributeValues: { ":n": { N: "-3" } } });

  it("does not repeat a write that may have been applied (a 500): a refund must not be applied twice", async () => {
    const client = ledgerDynamoClient({ endpoint: server.url });
    requests = 0;
    answer = { status: 500, type: "InternalServerError" };
    await client.send(update()).catch(() => undefined);
    expect(requests).to.equal(1);
    client.destroy();
  });

  it("retries throttling, which DynamoDB refused before applying anything", async () => {
    const client = ledgerDynamoClient({ endpoint: server.url });
    requests = 0;
    answer = { status: 400, type: "ProvisionedThroughputExceededException" };
    await client.send(update()).catch(() => undefined);
    expect(requests).to.equal(4);
    client.destroy();
  });
});
