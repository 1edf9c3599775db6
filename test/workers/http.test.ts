import { expect } from "chai";
import fc from "fast-check";
import type { IncomingHttpHeaders } from "node:http";
import type { HttpSettings } from "../../runtime/catalog/schema";
import { authHeaderValue, fetchTimeoutMs, httpWorker, objectKey, recordUrl, redirectVerdict, retryAfterMs, type HttpWorkerDeps } from "../../runtime/workers/http/http";
import { withLedgerGuard } from "../../runtime/workers/ledger-guard";
import { MemorySecrets, MemoryStore } from "./support";
import { startServer, type Fixture } from "../aws/http-fixture";

describe("http worker helpers", () => {
  it("puts the URL-encoded record id into every {id} of the template", () => {
    expect(recordUrl("https://api.example/v2/{id}?again={id}", "a/b c?&")).to.equal("https://api.example/v2/a%2Fb%20c%3F%26?again=a%2Fb%20c%3F%26");
  });

  it("keys objects as <providerId>/<day>/<encoded id>.json, one path segment per id", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (id) => {
        const key = objectKey({ providerId: "acme", day: "2026-11-26", recordId: id });
        const [provider, day, file, ...rest] = key.split("/");
        expect([provider, day, rest.length]).to.deep.equal(["acme", "2026-11-26", 0]);
        expect(decodeURIComponent(file!.replace(/\.json$/, ""))).to.equal(id);
      }),
    );
  });

  const headers: [string, string, string][] = [
    ["Bearer", "tok", "Bearer tok"],
    ["Token", "tok", "Token tok"],
    ["", "raw-key", "raw-key"],
  ];
  for (const [scheme, secret, expected] of headers) {
    it(`sends ${JSON.stringify(expected)} for scheme ${JSON.stringify(scheme)}`, () => expect(authHeaderValue(scheme, secret)).to.equal(expected));
  }

  const timeouts: [number, number][] = [
    [90_000, 85_000],
    [10_000, 8_000],
    [1_000, 800],
    [100, 100],
  ];
  for (const [worker, fetch] of timeouts) {
    it(`gives the provider ${fetch} ms of a ${worker} ms worker timeout`, () => expect(fetchTimeoutMs(worker)).to.equal(fetch));
  }
});

describe("http worker against a local HTTP server", () => {
  let server: Fixture;
  let elsewhere: Fixture;
  const stolen: IncomingHttpHeaders[] = [];
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const store = new MemoryStore();
  const request = (recordId: string) => ({ providerId: "acme", recordId, day: "2026-11-26" });

  before(async () => {
    elsewhere = await startServer((req, res) => {
      stolen.push(req.headers);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
    server = await startServer(async (req, res) => {
      const path = req.url ?? "/";
      seen.push({ path, headers: req.headers });
      const id = decodeURIComponent(path.replace(/^\/records\//, ""));
      const json = (status: number, body: unknown, extra: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...extra });
        res.end(JSON.stringify(body));
      };
      switch (id) {
        case "throttle":
          return json(429, { message: "slow down" }, { "retry-after": "7" });
        case "throttle-bare":
          return json(429, {});
        case "unavailable":
          return json(503, { message: "down" });
        case "missing":
          return json(404, { message: "no such record" });
        case "forbidden":
          return json(403, { message: "no" });
        case "moved":
          res.writeHead(302, { location: "/records/moved-here" });
          return res.end();
        case "away":
          res.writeHead(301, { location: `${elsewhere.url}/steal` });
          return res.end();
        case "loop":
          res.writeHead(302, { location: "/records/loop" });
          return res.end();
        case "unauthorized":
          return json(401, { message: "token revoked" });
        case "html":
          res.writeHead(200, { "content-type": "text/html" });
          return res.end("<html>maintenance</html>");
        case "hang":
          return; // never answers
        case "stall-body":
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"partial":'); // headers, then nothing
          return;
        case "reset":
          req.socket.destroy();
          return;
        default:
          return json(200, { id, value: 42 });
      }
    });
  });
  after(() => Promise.all([server.close(), elsewhere.close()]));
  beforeEach(() => {
    seen.length = 0;
    stolen.length = 0;
    store.objects.clear();
    store.failWith = undefined;
  });

  const settings = (s: Partial<HttpSettings> = {}): HttpSettings => ({
    urlTemplate: `${server.url}/records/{id}`,
    secretId: "acme/api-key",
    authHeader: "Authorization",
    authScheme: "Bearer",
    ...s,
  });
  // The worker behind sluice's guard, which lands what it fetched (no ledger here: nothing is recorded).
  const worker = (s: Partial<HttpSettings> = {}, deps: Partial<HttpWorkerDeps> = {}) =>
    withLedgerGuard(httpWorker(settings(s), { fetch, secrets: new MemorySecrets({ "acme/api-key": "s3cret" }), timeoutMs: 2_000, ...deps }), {
      land: store,
      clock: { now: Date.now },
      sleep: async () => undefined,
    });

  it("answers the JSON body to land, with its key; the guard lands it and reports status, bytes and key", async () => {
    const key = "acme/2026-11-26/a%2Fb%20c.json";
    const body = JSON.stringify({ id: "a/b c", value: 42 });
    const bare = httpWorker(settings(), { fetch, secrets: new MemorySecrets({ "acme/api-key": "s3cret" }), timeoutMs: 2_000 });
    expect(await bare(request("a/b c"))).to.deep.equal({
      ok: true,
      metadata: { status: 200, bytes: Buffer.byteLength(body), key },
      landing: { key, body, contentType: "application/json; charset=utf-8" },
    });
    const result = await worker()(request("a/b c"));
    expect(result).to.deep.equal({ ok: true, metadata: { status: 200, bytes: Buffer.byteLength(body), key }, recorded: false });
    expect(store.objects.get(key)).to.equal(body);
    expect(seen[0]!.path).to.equal("/records/a%2Fb%20c");
  });

  it("follows a redirect within the provider's origin, credential included", async () => {
    const result = await worker()(request("moved"));
    expect(result).to.deep.include({ ok: true });
    expect(seen.map((s) => s.path)).to.deep.equal(["/records/moved", "/records/moved-here"]);
    expect(seen[1]!.headers.authorization).to.equal("Bearer s3cret");
  });

  it("refuses a redirect to another origin and never sends the credential there (security)", async () => {
    const result = await worker({ authHeader: "X-Api-Key", authScheme: "" })(request("away"));
    expect(result).to.deep.include({ ok: false, kind: "permanent" });
    expect(!result.ok && result.reason).to.contain("another origin");
    expect(stolen).to.deep.equal([]);
    expect(store.objects.size).to.equal(0);
  });

  it("gives up after a bounded number of redirects", async () => {
    const result = await worker()(request("loop"));
    expect(result).to.deep.include({ ok: false, kind: "error" });
    expect(seen).to.have.length(6);
  });

  it("sends the credential as `<header>: <scheme> <secret>`", async () => {
    await worker()(request("r1"));
    expect(seen[0]!.headers.authorization).to.equal("Bearer s3cret");
  });

  it("sends the bare secret in a custom header when the scheme is empty", async () => {
    await worker({ authHeader: "X-Api-Key", authScheme: "" })(request("r1"));
    expect(seen[0]!.headers["x-api-key"]).to.equal("s3cret");
    expect(seen[0]!.headers.authorization).to.equal(undefined);
  });

  const classified: [string, string, RegExp][] = [
    ["throttle", "throttled", /429.*Retry-After 7/],
    ["throttle-bare", "throttled", /429/],
    ["unavailable", "error", /503/],
    ["missing", "permanent", /404/],
    ["forbidden", "auth", /403/],
    ["unauthorized", "auth", /401/],
    ["html", "error", /not JSON/],
    ["reset", "error", /fetch failed|ECONNRESET|socket/i],
  ];
  for (const [id, kind, reason] of classified) {
    it(`classifies "${id}" as ${kind} and lands nothing`, async () => {
      const result = await worker()(request(id));
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.kind).to.equal(kind);
        expect(result.reason).to.match(reason);
      }
      expect(store.objects.size).to.equal(0);
    });
  }

  it("classifies a Retry-After-less 429 without inventing one", async () => {
    const result = await worker()(request("throttle-bare"));
    expect(!result.ok && result.reason).to.not.contain("Retry-After");
    expect(result).not.to.have.property("retryAfterMs");
  });

  it("passes a 429's Retry-After on in milliseconds", async () => {
    expect(await worker()(request("throttle"))).to.deep.include({ ok: false, kind: "throttled", retryAfterMs: 7_000 });
  });

  it("times out a provider that never answers", async () => {
    const started = Date.now();
    const result = await worker({}, { timeoutMs: 150 })(request("hang"));
    expect(result).to.deep.include({ ok: false, kind: "timeout" });
    expect(Date.now() - started).to.be.below(2_500);
  });

  it("times out a provider that stalls in the middle of its body", async () => {
    const result = await worker({}, { timeoutMs: 150 })(request("stall-body"));
    expect(result).to.deep.include({ ok: false, kind: "timeout" });
  });

  it("classifies a refused connection as an error", async () => {
    const closed = await startServer(() => {});
    const url = closed.url;
    await closed.close();
    const result = await worker({ urlTemplate: `${url}/records/{id}` })(request("r1"));
    expect(result).to.deep.include({ ok: false, kind: "error" });
    expect(!result.ok && result.reason).to.contain("ECONNREFUSED");
  });

  it("reads the timeout per call when given a function", async () => {
    let asked = 0;
    await worker({}, { timeoutMs: () => (asked++, 2_000) })(request("r1"));
    expect(asked).to.equal(1);
  });

  it("answers error, without calling the provider and saying so, when the secret cannot be read", async () => {
    const result = await worker({ secretId: "other" })(request("r1"));
    expect(result).to.deep.include({ ok: false, kind: "error", providerCalled: false });
    expect(!result.ok && result.reason).to.contain("other");
    expect(seen).to.have.length(0);
  });

  it("answers landing (never a plain error that would re-fetch) when the body cannot be landed", async () => {
    store.failWith = new Error("PutObject s3://landing/x failed: AccessDenied");
    const result = await worker()(request("r1"));
    expect(result).to.deep.include({ ok: false, kind: "landing" });
    expect(!result.ok && result.reason).to.contain("AccessDenied");
  });

  const malformed: [string, unknown][] = [
    ["no record id", { providerId: "acme", day: "2026-11-26" }],
    ["an empty record id", { providerId: "acme", recordId: "", day: "2026-11-26" }],
    ["a day that is not YYYY-MM-DD", { providerId: "acme", recordId: "r", day: "26/11/2026" }],
    ["not an object", "r1"],
  ];
  for (const [name, req] of malformed) {
    it(`answers permanent for a request with ${name}`, async () => {
      const result = await worker()(req as never);
      expect(result).to.deep.include({ ok: false, kind: "permanent" });
      expect(seen).to.have.length(0);
    });
  }
});

describe("http worker redirect and Retry-After rules", () => {
  const verdicts: [string, string | null, boolean, RegExp | null][] = [
    ["https://api.example/v2/1", "/v2/2", true, null],
    ["https://api.example/v2/1", "https://api.example/other", true, null],
    ["https://api.example/v2/1", "http://api.example/v2/2", false, /not https/],
    ["https://api.example/v2/1", "https://cdn.example/v2/2", false, /another origin, https:\/\/cdn.example/],
    ["https://api.example/v2/1", "https://api.example:8443/v2/2", false, /another origin/],
    ["https://api.example/v2/1", null, false, /without a Location/],
  ];
  for (const [from, to, follow, why] of verdicts) {
    it(`${follow ? "follows" : "refuses"} ${from} → ${to}`, () => {
      const v = redirectVerdict(from, to);
      expect(v.follow).to.equal(follow);
      if (!v.follow) expect(v.why).to.match(why!);
    });
  }

  it("reads Retry-After as seconds or as a date", () => {
    const now = Date.UTC(2026, 10, 26, 10, 0, 0);
    expect(retryAfterMs("7", now)).to.equal(7_000);
    expect(retryAfterMs("Thu, 26 Nov 2026 10:01:00 GMT", now)).to.equal(60_000);
    expect(retryAfterMs(null, now)).to.equal(undefined);
    expect(retryAfterMs("soon", now)).to.equal(undefined);
  });
});
