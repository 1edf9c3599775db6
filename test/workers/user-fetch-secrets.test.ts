import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { guardedFetch } from "../../runtime/workers/user/fetch";
import { localSecrets, secretEnvName } from "../../runtime/workers/user/local-secrets";
import { isWorkerOutcome } from "../../runtime/workers/user/outcome";
import { startServer, type Fixture } from "../aws/http-fixture";

describe("ctx.fetch beyond GET", () => {
  let server: Fixture;
  const seen: { method: string; path: string; body: string }[] = [];
  before(async () => {
    server = await startServer((req, res, body) => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8") });
      if (req.url === "/submit") {
        res.writeHead(303, { location: "/result" });
        return res.end();
      }
      if (req.url === "/keep") {
        res.writeHead(307, { location: "/kept" });
        return res.end();
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("done");
    });
  });
  after(() => server.close());
  beforeEach(() => (seen.length = 0));

  const fetchOf = () => guardedFetch({ fetch: (url, init) => fetch(url, init), deadline: new AbortController().signal, deadlineMs: () => 1_000 });

  it("turns a POST into a GET without its body on 303 See Other", async () => {
    const response = await fetchOf()(`${server.url}/submit`, { method: "POST", body: "a=1" });
    expect(await response.text()).to.equal("done");
    expect(seen).to.deep.equal([
      { method: "POST", path: "/submit", body: "a=1" },
      { method: "GET", path: "/result", body: "" },
    ]);
  });

  it("keeps the method and body on 307", async () => {
    await fetchOf()(`${server.url}/keep`, { method: "POST", body: "a=1" });
    expect(seen[1]).to.deep.equal({ method: "POST", path: "/kept", body: "a=1" });
  });

  it("throws a transient outcome naming the method and URL when the connection is refused", async () => {
    const closed = await startServer(() => {});
    await closed.close();
    let thrown: unknown;
    try {
      await fetchOf()(`${closed.url}/x`, { method: "PUT" });
    } catch (err) {
      thrown = err;
    }
    expect(isWorkerOutcome(thrown)).to.equal(true);
    expect(thrown).to.include({ kind: "error" });
    expect((thrown as Error).message).to.match(/^PUT http:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
  });
});

describe("local secrets for sluice worker try", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "sluice-secrets-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads SLUICE_SECRET_<NAME> first, then the file by name, then by secret id", async () => {
    const file = path.join(dir, "secrets.json");
    writeFileSync(file, JSON.stringify({ clientSecret: "from-file", "sluice/x/user": "by-id" }));
    const names = { clientId: "sluice/x/client-id", clientSecret: "sluice/x/client-secret", user: "sluice/x/user" };
    const secrets = localSecrets(names, { env: { [secretEnvName("clientId")]: "from-env" }, file });
    expect(secretEnvName("client-id.v2")).to.equal("SLUICE_SECRET_CLIENT_ID_V2");
    expect(await secrets.getSecret("sluice/x/client-id")).to.equal("from-env");
    expect(await secrets.getSecret("sluice/x/client-secret")).to.equal("from-file");
    expect(await secrets.getSecret("sluice/x/user")).to.equal("by-id");
  });

  it("says how to set a secret it cannot find, and names a file that is not JSON", async () => {
    const missing = localSecrets({ apiKey: "sluice/x/key" }, { env: {}, file: path.join(dir, "none.json") });
    let error: unknown;
    try {
      await missing.getSecret("sluice/x/key");
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.equal(`not set locally: export SLUICE_SECRET_APIKEY=… or add "apiKey" to ${path.join(dir, "none.json")}`);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{nope");
    let parse: unknown;
    try {
      await localSecrets({ a: "b" }, { env: {}, file: bad }).getSecret("b");
    } catch (err) {
      parse = err;
    }
    expect((parse as Error).message).to.match(/bad\.json: .*JSON/);
  });
});
