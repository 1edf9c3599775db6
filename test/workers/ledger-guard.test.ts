import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Ledger } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import type { WorkerResponse } from "../../runtime/workers/contract";
import { withLedgerGuard, type GuardPorts } from "../../runtime/workers/ledger-guard";
import { MemoryStore } from "./support";

const DAY = "2097-01-07";
const NOW = Date.UTC(2097, 0, 7, 12);
const settings = { providerId: "p", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };
const clock = { now: () => NOW };
const request = { providerId: "p", recordId: "r", day: DAY };
const landing = { key: "p/2097-01-07/r.json", body: '{"v":1}', contentType: "application/json" };

function setup(answer: () => Promise<WorkerResponse>, ports: Partial<GuardPorts> = {}) {
  const store = new MemoryLedgerStore();
  const land = new MemoryStore();
  let calls = 0;
  const guarded = withLedgerGuard(
    async () => {
      calls++;
      return answer();
    },
    { ledger: () => new Ledger(store, settings), land, clock, sleep: async () => undefined, ...ports },
  );
  return { store, land, guarded, calls: () => calls, entry: () => new Ledger(store, settings).entry("r", DAY) };
}

describe("worker ledger guard", () => {
  it("lands the fetched body, marks the record done right after, and says so", async () => {
    const s = setup(async () => ({ ok: true, metadata: { bytes: 3 }, landing }));
    await new Ledger(s.store, settings).claim("r", DAY, NOW);
    expect(await s.guarded(request)).to.deep.equal({ ok: true, metadata: { bytes: 3 }, recorded: true });
    expect(s.land.objects.get(landing.key)).to.equal(landing.body);
    expect((await s.entry())?.status).to.equal(LEDGER_STATUS.DONE);
  });

  it("leaves failures to the ventilator, auth included", async () => {
    for (const answer of [
      { ok: false, kind: "throttled", reason: "429" },
      { ok: false, kind: "auth", reason: "401" },
    ] as WorkerResponse[]) {
      const s = setup(async () => answer);
      await new Ledger(s.store, settings).claim("r", DAY, NOW);
      expect(await s.guarded(request)).to.deep.equal(answer);
      expect((await s.entry())?.status).to.equal(LEDGER_STATUS.IN_PROGRESS);
    }
  });

  it("answers recorded:false when the ledger cannot be written, after retrying, so the ventilator writes", async () => {
    let tries = 0;
    const guarded = withLedgerGuard(async () => ({ ok: true }), {
      ledger: () => ({ complete: async () => (tries++, Promise.reject(new Error("throttled"))), keepForLanding: async () => ({ kept: false, bytes: 0 }), keptBody: async () => null, entry: async () => null }),
      clock,
    });
    expect(await guarded(request)).to.deep.equal({ ok: true, recorded: false });
  });

  it("a landing that keeps failing keeps the body in the ledger instead of answering a failure that would re-fetch (finding 4)", async () => {
    const s = setup(async () => ({ ok: true, landing }));
    await new Ledger(s.store, settings).claim("r", DAY, NOW);
    s.land.failWith = new Error("PutObject: SlowDown");
    expect(await s.guarded(request)).to.deep.include({ ok: false, kind: "landing", kept: true });
    expect(await s.entry()).to.deep.include({ status: LEDGER_STATUS.LANDING, bodyKept: true });
    // A later delivery asks only for the landing: the provider is not called again.
    s.land.failWith = undefined;
    expect(await s.guarded({ ...request, mode: "land" })).to.deep.include({ ok: true, recorded: true });
    expect(s.calls()).to.equal(1);
    expect(s.land.objects.get(landing.key)).to.equal(landing.body);
    expect(await s.entry()).to.deep.include({ status: LEDGER_STATUS.DONE, bodyKept: false });
  });

  it("a landing request for a record done meanwhile is done; one for a record that keeps nothing calls nothing", async () => {
    const s = setup(async () => ({ ok: true }));
    const l = new Ledger(s.store, settings);
    await l.claim("r", DAY, NOW);
    await l.complete("r", DAY, NOW);
    expect(await s.guarded({ ...request, mode: "land" })).to.deep.equal({ ok: true, recorded: true });
    expect(await s.guarded({ ...request, recordId: "never", mode: "land" })).to.deep.include({ ok: false, kind: "error", providerCalled: false });
    expect(s.calls()).to.equal(0);
  });

  it("says kept:false when the body is too large to keep", async () => {
    const body = randomBytes(250_000).toString("hex");
    const s = setup(async () => ({ ok: true, landing: { ...landing, body } }));
    await new Ledger(s.store, settings).claim("r", DAY, NOW);
    s.land.failWith = new Error("PutObject: InternalError");
    const answer = await s.guarded(request);
    expect(answer).to.deep.include({ ok: false, kind: "landing", kept: false });
    expect(!answer.ok && answer.reason).to.contain("too large to keep");
  });
});
