import { expect } from "chai";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { secretsClient } from "../../runtime/aws/clients";
import { SecretError, SecretsManagerSource } from "../../runtime/aws/secrets";
import { FakeClock, sendAwsError, sendJson, startServer, type Fixture } from "./http-fixture";

/** Secrets Manager speaks JSON 1.1: POST / with X-Amz-Target secretsmanager.GetSecretValue. */
describe("SecretsManagerSource against a fake Secrets Manager endpoint", () => {
  let fixture: Fixture;
  let client: SecretsManagerClient;
  const secrets = new Map<string, { SecretString?: string; SecretBinary?: string }>();
  const asked: string[] = [];
  let delayMs = 0;

  before(async () => {
    fixture = await startServer(async (req, res, body) => {
      const target = req.headers["x-amz-target"];
      if (target !== "secretsmanager.GetSecretValue") return sendAwsError(res, 400, "UnknownOperationException", String(target), "json-1.1");
      const { SecretId } = JSON.parse(body.toString("utf8")) as { SecretId: string };
      asked.push(SecretId);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const secret = secrets.get(SecretId);
      if (!secret) return sendAwsError(res, 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.", "json-1.1");
      sendJson(res, 200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}`, Name: SecretId, ...secret }, { "content-type": "application/x-amz-json-1.1" });
    });
    client = secretsClient({ endpoint: fixture.url, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await fixture.close();
  });
  beforeEach(() => {
    secrets.clear();
    asked.length = 0;
    delayMs = 0;
  });

  it("reads the secret string once and serves it from the cache within the TTL", async () => {
    secrets.set("acme/api-key", { SecretString: "s3cret" });
    const clock = new FakeClock();
    const source = new SecretsManagerSource({ client, ttlMs: 60_000, clock });
    expect(await source.getSecret("acme/api-key")).to.equal("s3cret");
    clock.advance(59_999);
    expect(await source.getSecret("acme/api-key")).to.equal("s3cret");
    expect(asked).to.deep.equal(["acme/api-key"]);
    expect(source.fetchCount).to.equal(1);
  });

  it("reads it again after the TTL, so a rotation reaches the container", async () => {
    secrets.set("acme/api-key", { SecretString: "old" });
    const clock = new FakeClock();
    const source = new SecretsManagerSource({ client, ttlMs: 60_000, clock });
    await source.getSecret("acme/api-key");
    secrets.set("acme/api-key", { SecretString: "new" });
    clock.advance(60_000);
    expect(await source.getSecret("acme/api-key")).to.equal("new");
    expect(asked).to.have.length(2);
  });

  it("shares one request between concurrent first reads", async () => {
    secrets.set("acme/api-key", { SecretString: "s3cret" });
    delayMs = 50;
    const source = new SecretsManagerSource({ client, clock: new FakeClock() });
    const values = await Promise.all(Array.from({ length: 8 }, () => source.getSecret("acme/api-key")));
    expect(values).to.deep.equal(Array(8).fill("s3cret"));
    expect(asked).to.have.length(1);
  });

  it("does not cache a failure: the next read asks again", async () => {
    const source = new SecretsManagerSource({ client, clock: new FakeClock() });
    const err = await source.getSecret("missing").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SecretError);
    expect((err as SecretError).secretId).to.equal("missing");
    expect((err as Error).message).to.contain("ResourceNotFoundException").and.contain('"missing"');
    secrets.set("missing", { SecretString: "now-here" });
    expect(await source.getSecret("missing")).to.equal("now-here");
    expect(asked).to.have.length(2);
  });

  it("refuses a binary-only secret with an error naming it", async () => {
    secrets.set("bin", { SecretBinary: Buffer.from("xyz").toString("base64") });
    const err = await new SecretsManagerSource({ client }).getSecret("bin").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SecretError);
    expect((err as Error).message).to.contain('"bin"').and.contain("SecretString");
  });

  it("rejects a negative TTL at construction", () => {
    expect(() => new SecretsManagerSource({ client, ttlMs: -1 })).to.throw(RangeError, /ttlMs -1/);
  });
});
