import { expect } from "chai";
import { LedgerInputError } from "../../runtime/ledger/errors";
import { Ledger, type LedgerSettings } from "../../runtime/ledger/ledger";
import type { LedgerStore } from "../../runtime/ledger/store";
import type { PipelineState } from "../../runtime/ledger/types";
import { PIPELINE_KEY } from "../../runtime/ledger/layout";
import { STORE_KINDS, storeFixture } from "./stores";

// A future day: DynamoDB Local applies TTL to past days' items.
const DAY = "2097-06-01";
const T0 = Date.UTC(2097, 5, 1, 9);
const SETTINGS: LedgerSettings = { providerId: "acme", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };

const STATE: PipelineState = {
  controller: { strategy: "adaptive", limit: 4, breaker: { status: "open", openedAt: T0, nextProbeAt: T0 + 600_000, trips: 2 } },
  pause: { reason: "operator", since: T0, by: "ana", note: "provider asked", resumeMappingBatchSize: 2 },
  updatedAt: T0,
};

for (const kind of STORE_KINDS) {
  describe(`Ledger pipeline state, audit and day counters (${kind} store)`, function () {
    const fixture = storeFixture(kind);
    let store: LedgerStore;
    let ledger: Ledger;
    beforeEach(async () => {
      store = await fixture.fresh();
      ledger = new Ledger(store, SETTINGS);
    });

    describe("pipeline state", () => {
      it("is null before the first save and round-trips as JSON with version 1 after it", async () => {
        expect(await ledger.loadPipeline()).to.equal(null);
        expect(await ledger.savePipeline(STATE, null)).to.equal(true);
        expect(await ledger.loadPipeline()).to.deep.equal({ state: STATE, version: 1 });
      });

      it("reads a pause saved under the old name of the mapping size to resume at (resumeBatchSize)", async () => {
        const { resumeMappingBatchSize, ...old } = STATE.pause!;
        await store.put(PIPELINE_KEY, { state: JSON.stringify({ ...STATE, pause: { ...old, resumeBatchSize: resumeMappingBatchSize } }), version: 1, updatedAt: T0 });
        expect(await ledger.loadPipeline()).to.deep.equal({ state: STATE, version: 1 });
      });

      it("lets only one of two saves from the same version win", async () => {
        await ledger.savePipeline(STATE, null);
        const a: PipelineState = { ...STATE, pause: null, updatedAt: T0 + 1 };
        const b: PipelineState = { ...STATE, controller: { probe: "claimed by b" }, updatedAt: T0 + 2 };
        const results = await Promise.all([new Ledger(store, SETTINGS).savePipeline(a, 1), new Ledger(store, SETTINGS).savePipeline(b, 1)]);
        expect(results.filter(Boolean)).to.have.length(1);
        const saved = await ledger.loadPipeline();
        expect(saved?.version).to.equal(2);
        expect(saved?.state).to.deep.equal(results[0] ? a : b);
      });

      it("refuses a first save when a state exists, and a save from a stale version", async () => {
        await ledger.savePipeline(STATE, null);
        expect(await ledger.savePipeline(STATE, null)).to.equal(false);
        await ledger.savePipeline(STATE, 1);
        expect(await ledger.savePipeline(STATE, 1)).to.equal(false);
        expect(await ledger.savePipeline(STATE, 2)).to.equal(true);
      });

      it("rejects an expected version that cannot exist", async () => {
        for (const bad of [0, 1.5, -1]) {
          try {
            await ledger.savePipeline(STATE, bad);
            expect.fail("accepted expectedVersion " + bad);
          } catch (error) {
            expect(error).to.be.instanceOf(LedgerInputError);
            expect((error as LedgerInputError).field).to.equal("expectedVersion");
          }
        }
      });
    });

    describe("operator audit", () => {
      it("lists actions newest first, keeping two identical actions of the same millisecond", async () => {
        await ledger.recordOperatorAction({ action: "pause", by: "ana", reason: "provider incident", at: T0 });
        await ledger.recordOperatorAction({ action: "resume", by: "bo", reason: "incident over", at: T0 + 60_000 });
        await ledger.recordOperatorAction({ action: "reset-breaker", by: "ana", reason: "manual probe", at: T0 + 30_000 });
        await ledger.recordOperatorAction({ action: "resume", by: "cy", reason: "double click", at: T0 + 60_000 });
        const all = await ledger.listOperatorActions(10);
        expect(all.map((a) => `${a.action}/${a.by}`)).to.deep.equal(["resume/cy", "resume/bo", "reset-breaker/ana", "pause/ana"]);
        expect(all[3]).to.deep.equal({ action: "pause", by: "ana", reason: "provider incident", at: T0 });
        expect((await ledger.listOperatorActions(2)).map((a) => a.at)).to.deep.equal([T0 + 60_000, T0 + 60_000]);
      });
    });

    describe("daily request counter", () => {
      it("stops exactly at the limit under parallel reservations", async () => {
        // 30 invocations want 7 calls each against a limit of 100.
        const grants = await Promise.all(Array.from({ length: 30 }, () => new Ledger(store, SETTINGS).reserveRequests(DAY, 7, 100, T0)));
        expect(grants.reduce((a, b) => a + b, 0)).to.equal(100);
        for (const g of grants) expect(g).to.be.within(0, 7);
        expect((await ledger.dayStats(DAY)).requests).to.equal(100);
        expect(await ledger.reserveRequests(DAY, 1, 100, T0)).to.equal(0);
      });

      it("grants what is left when less than wanted remains, and 0 once exhausted", async () => {
        expect(await ledger.reserveRequests(DAY, 8, 10, T0)).to.equal(8);
        expect(await ledger.reserveRequests(DAY, 8, 10, T0)).to.equal(2);
        expect(await ledger.reserveRequests(DAY, 8, 10, T0)).to.equal(0);
        expect(await ledger.reserveRequests(DAY, 0, 10, T0)).to.equal(0);
        expect((await ledger.dayStats(DAY)).requests).to.equal(10);
      });

      it("makes refunded calls available again, never refunding below zero", async () => {
        await ledger.reserveRequests(DAY, 10, 10, T0);
        expect(await ledger.refundRequests(DAY, 4)).to.equal(4);
        expect(await ledger.reserveRequests(DAY, 8, 10, T0)).to.equal(4);
        expect(await ledger.refundRequests(DAY, 50)).to.equal(10);
        expect((await ledger.dayStats(DAY)).requests).to.equal(0);
        expect(await ledger.refundRequests("2097-06-02", 3)).to.equal(0);
      });

      it("counts each day on its own", async () => {
        await ledger.reserveRequests(DAY, 5, 5, T0);
        expect(await ledger.reserveRequests("2097-06-02", 5, 5, T0)).to.equal(5);
      });
    });

    describe("day counts", () => {
      it("adds a batch's outcomes atomically and reports them with the requests", async () => {
        const none = { adHocDone: 0, adHocFailed: 0, adHocDead: 0 };
        expect(await ledger.dayStats(DAY)).to.deep.equal({ requests: 0, done: 0, failed: 0, dead: 0, ...none });
        await ledger.reserveRequests(DAY, 6, 100, T0);
        await Promise.all([
          ledger.addDayCounts(DAY, { done: 3, failed: 1, adHocDone: 2 }),
          ledger.addDayCounts(DAY, { done: 1, dead: 1, adHocDead: 1 }),
          ledger.addDayCounts(DAY, {}),
        ]);
        expect(await ledger.dayStats(DAY)).to.deep.equal({ requests: 6, done: 4, failed: 1, dead: 1, adHocDone: 2, adHocFailed: 0, adHocDead: 1 });
      });

      it("rejects a negative count, naming it", async () => {
        try {
          await ledger.addDayCounts(DAY, { failed: -1 });
          expect.fail("accepted a negative count");
        } catch (error) {
          expect(error).to.be.instanceOf(LedgerInputError);
          expect((error as Error).message).to.contain("counts.failed");
        }
      });
    });
  });
}
