import { expect } from "chai";
import * as path from "node:path";
import { openWorker, type WorkerSession } from "sluice/stub";
import { LandedRating } from "../../examples/workers/lumen-ratings";
import stub, { state } from "../../examples/workers/lumen-ratings.stub";

/** The examples' catalog (examples/providers.json), where their module paths start. */
const EXAMPLES = path.join(__dirname, "..", "..", "examples", "providers.json");

describe("lumen-ratings worker (OAuth2 client credentials) against its stub", () => {
  let session: WorkerSession;
  beforeEach(async () => {
    state.tokenLifetimeSeconds = 3600;
    state.revoked.clear();
    session = await openWorker({ catalog: EXAMPLES, provider: "lumen-ratings", stub: true });
  });
  afterEach(() => session.close());

  it("lands the provider's rating mapped into the landing format", async () => {
    const result = await session.run("ISS-1");
    expect(result.response).to.deep.include({ ok: true });
    expect(result.landed?.key).to.equal(`lumen-ratings/${result.request.day}/ISS-1.json`);
    const landed = LandedRating.parse(JSON.parse(result.landed!.body));
    expect(landed).to.include({ issuerId: "ISS-1", issuerName: "Issuer ISS-1", outlook: "stable", asOf: "2026-12-01", source: "lumen-ratings" });
  });

  it("caches the token until it expires: two records, one token", async () => {
    const before = state.issued;
    await session.run("ISS-1");
    await session.run("ISS-2");
    expect(state.issued - before).to.equal(1);
  });

  it("asks for a new token once the cached one is about to expire", async () => {
    state.tokenLifetimeSeconds = 30; // expires within the worker's skew at once
    const before = state.issued;
    expect((await session.run("ISS-1")).response.ok).to.equal(true);
    expect((await session.run("ISS-2")).response.ok).to.equal(true);
    expect(state.issued - before).to.equal(2);
  });

  it("refreshes once on a 401 and goes on", async () => {
    await session.run("ISS-1");
    state.revoked.add(`tok-${state.issued}`);
    const before = state.issued;
    const result = await session.run("ISS-2");
    expect(result.response).to.deep.include({ ok: true });
    expect(state.issued - before).to.equal(1);
  });

  it("answers an auth failure when a fresh token is refused too", async () => {
    const before = state.issued;
    const result = await session.run("ISS-REVOKED");
    expect(result.response).to.deep.include({ ok: false, kind: "auth" });
    expect(state.issued - before).to.be.at.most(2);
    expect(result.landed).to.equal(undefined);
  });

  it("answers an auth failure when the token endpoint refuses the client", async () => {
    const wrong = await openWorker({ catalog: EXAMPLES, provider: "lumen-ratings", stub: { ...stub, secrets: { clientId: "stub-client", clientSecret: "wrong" } } });
    try {
      const result = await wrong.run("ISS-1");
      expect(result.response).to.deep.include({ ok: false, kind: "auth" });
      expect(!result.response.ok && result.response.reason).to.match(/token endpoint refused client stub-client/);
    } finally {
      await wrong.close();
    }
  });

  it("ends an unknown issuer permanently and an answer the mapping refuses too, naming the field", async () => {
    expect((await session.run("ISS-MISSING")).response).to.deep.include({ ok: false, kind: "permanent" });
    const bad = (await session.run("ISS-BADFORM")).response;
    expect(bad).to.deep.include({ ok: false, kind: "permanent" });
    expect(!bad.ok && bad.reason).to.match(/rating\.grade/);
  });

  it("passes the provider's 429 on as throttled with its Retry-After", async () => {
    const busy = await openWorker({ catalog: EXAMPLES, provider: "lumen-ratings", stub: true, profile: { baseLatencyMs: 0, slowPercentage: 0, slowMs: 0, errorPercentage: 0, throttlePercentage: 100 } });
    try {
      expect((await busy.run("ISS-1")).response).to.deep.include({ ok: false, kind: "throttled", retryAfterMs: 1_000 });
    } finally {
      await busy.close();
    }
  });
});
