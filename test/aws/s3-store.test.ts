import { expect } from "chai";
import type { S3Client } from "@aws-sdk/client-s3";
import { s3Client } from "../../runtime/aws/clients";
import { ObjectStoreError, S3ObjectStore } from "../../runtime/aws/s3-store";
import { startServer, type Fixture } from "./http-fixture";

/** No S3 engine runs here: a fixture that accepts path-style PutObject and records what arrived. */
describe("S3ObjectStore against a fake S3 endpoint", () => {
  let fixture: Fixture;
  let client: S3Client;
  const puts: { path: string; contentType: string | undefined; body: string }[] = [];
  let denyNext = false;

  before(async () => {
    fixture = await startServer((req, res, body) => {
      if (denyNext) {
        denyNext = false;
        res.writeHead(403, { "content-type": "application/xml" });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
        return;
      }
      puts.push({ path: decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname), contentType: req.headers["content-type"], body: body.toString("utf8") });
      res.writeHead(200, { etag: '"abc"' });
      res.end();
    });
    client = s3Client({ endpoint: fixture.url, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await fixture.close();
  });

  it("puts the JSON under the key in its bucket, path-style, with a JSON content type", async () => {
    const store = new S3ObjectStore({ client, bucket: "landing" });
    const json = JSON.stringify({ id: "a/b c", value: 42 });
    await store.put("acme/2026-11-26/a%2Fb%20c.json", json);
    const put = puts.at(-1)!;
    expect(put.path).to.equal("/landing/acme/2026-11-26/a%2Fb%20c.json");
    expect(put.contentType).to.match(/^application\/json/);
    expect(put.body).to.equal(json);
  });

  it("turns an S3 error into an ObjectStoreError naming bucket and key", async () => {
    denyNext = true;
    const err = await new S3ObjectStore({ client, bucket: "landing" }).put("k.json", "{}").then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ObjectStoreError);
    expect(err).to.include({ bucket: "landing", key: "k.json" });
    expect((err as Error).message).to.contain("s3://landing/k.json").and.contain("AccessDenied");
  });

  it("rejects an empty bucket name at construction", () => {
    expect(() => new S3ObjectStore({ client, bucket: "" })).to.throw(RangeError, /bucket/);
  });
});
