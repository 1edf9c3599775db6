import { expect } from "chai";
import { LedgerConflictError } from "../../runtime/ledger/errors";
import { LEASE_EXPIRED_OUTCOME_UNKNOWN, Ledger, type LedgerSettings } from "../../runtime/ledger/ledger";
import type { LedgerStore } from "../../runtime/ledger/store";
import type { ClaimResult, LedgerEntry } from "../../runtime/ledger/types";
import { STORE_KINDS, storeFixture } from "./stores";

// Days in the future: DynamoDB Local applies TTL, and would delete the items of a past day mid-test.
// 2097-03-10 is also the day New York switches to summer time.
const DAY = "2097-03-10";
const NEXT_DAY = "2097-03-11";
const T0 = Date.UTC(2097, 2, 10, 8, 0, 0);
const SETTINGS: LedgerSettings = { providerId: "acme", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };
const LEASE_MS = 60_000;

function claimed(result: ClaimResult): LedgerEntry {
  if (!result.claimed) throw new Error(`expected a claim, got refusal "${result.reason}" (${JSON.stringify(result.entry)})`);
  return result.entry;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

for (const kind of STORE_KINDS) {
  describe(`Ledger records (${kind} store)`, function () {
    const fixture = storeFixture(kind);
    let store: LedgerStore;
    let ledger: Ledger;
    beforeEach(async () => {
      store = await fixture.fresh();
      ledger = new Ledger(store, SETTINGS);
    });

    it("lets exactly one of 20 concurrent claims of a record win", async function () {
      // 20 invocations, each with its own Ledger, racing on one store.
      const results = await Promise.all(Array.from({ length: 20 }, () => new Ledger(store, SETTINGS).claim("r1", DAY, T0)));
      const winners = results.filter((r) => r.claimed);
      expect(winners).to.have.length(1);
      for (const r of results.filter((x) => !x.claimed)) expect(r).to.include({ claimed: false, reason: "leased" });
      expect(await ledger.entry("r1", DAY)).to.include({ status: "in-progress", attempts: 1, leaseUntil: T0 + LEASE_MS });
    });

    it("claims a new record in progress under a lease, with its first attempt and timestamps", async () => {
      const entry = claimed(await ledger.claim("r1", DAY, T0, { adHoc: true }));
      expect(entry).to.deep.equal({
        recordId: "r1",
        day: DAY,
        status: "in-progress",
        attempts: 1,
        leaseUntil: T0 + LEASE_MS,
        notBefore: null,
        adHoc: true,
        lastError: null,
        metadata: null,
        landingAttempts: 0,
        bodyKept: false,
        createdAt: T0,
        updatedAt: T0,
        expiresAt: Date.UTC(2097, 2, 18) / 1000,
      });
    });

    it("refuses a claim while the lease runs, including at its last millisecond", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      const refused = await ledger.claim("r1", DAY, T0 + LEASE_MS);
      expect(refused).to.include({ claimed: false, reason: "leased", becameDead: false });
    });

    it("makes an expired lease dead, once, with its unknown outcome and the payload it is given: the provider may have served it", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      const first = await new Ledger(store, SETTINGS).claim("r1", DAY, T0 + LEASE_MS + 1, { payload: { n: 1 } });
      expect(first).to.include({ claimed: false, reason: "dead", becameDead: true });
      expect(first.entry).to.deep.include({ status: "dead", attempts: 1, lastError: LEASE_EXPIRED_OUTCOME_UNKNOWN, leaseUntil: null, payload: { n: 1 } });
      const second = await new Ledger(store, SETTINGS).claim("r1", DAY, T0 + LEASE_MS + 2);
      expect(second).to.include({ claimed: false, reason: "dead", becameDead: false });
    });

    it("never re-claims a done record the same provider day, but does the next day", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      const done = await ledger.complete("r1", DAY, T0 + 10, { bytes: 42 });
      expect(done).to.include({ status: "done", attempts: 1, leaseUntil: null });
      expect(done.metadata).to.deep.equal({ bytes: 42 });
      const later = T0 + 10 * LEASE_MS;
      expect(await ledger.claim("r1", DAY, later)).to.include({ claimed: false, reason: "done" });
      expect(await new Ledger(store, SETTINGS).claim("r1", DAY, later)).to.include({ claimed: false, reason: "done" });
      expect(claimed(await ledger.claim("r1", NEXT_DAY, later))).to.include({ day: NEXT_DAY, attempts: 1 });
    });

    it("re-claims a failed record until the attempts cap, where the last failure is dead with its reason", async () => {
      let now = T0;
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect(claimed(await ledger.claim("r1", DAY, now)).attempts).to.equal(attempt);
        const entry = await ledger.fail("r1", DAY, now + 5, { reason: `HTTP 503 #${attempt}` });
        expect(entry).to.include({ status: attempt < 3 ? "failed" : "dead", lastError: `HTTP 503 #${attempt}`, attempts: attempt, leaseUntil: null });
        now += 1_000;
      }
      expect(await ledger.claim("r1", DAY, now)).to.include({ claimed: false, reason: "dead", becameDead: false });
    });

    it("makes a record dead at once on a permanent failure", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      expect(await ledger.fail("r1", DAY, T0 + 1, { reason: "HTTP 404", permanent: true })).to.include({ status: "dead", attempts: 1, lastError: "HTTP 404" });
      expect(await ledger.claim("r1", DAY, T0 + 2)).to.include({ claimed: false, reason: "dead" });
    });

    it("does not count a released claim as an attempt", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      expect(await ledger.release("r1", DAY, T0 + 1)).to.equal(null);
      expect(await ledger.entry("r1", DAY)).to.equal(null);
      expect(claimed(await ledger.claim("r1", DAY, T0 + 2))).to.include({ attempts: 1, createdAt: T0 + 2 });
    });

    it("puts a released record back to failed, with its attempts and last error", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      await ledger.fail("r1", DAY, T0 + 1, { reason: "timeout" });
      claimed(await ledger.claim("r1", DAY, T0 + 2));
      const back = await ledger.release("r1", DAY, T0 + 3);
      expect(back).to.include({ status: "failed", attempts: 1, lastError: "timeout", leaseUntil: null });
      // Still two attempts left: the release gave one back.
      expect(claimed(await ledger.claim("r1", DAY, T0 + 4)).attempts).to.equal(2);
      expect(claimed(await new Ledger(store, SETTINGS).claim("r2", DAY, T0)).attempts).to.equal(1);
    });

    it("marks a late completion done after its lease ended and the record went dead: it was fetched, it is never fetched again", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      await new Ledger(store, SETTINGS).claim("r1", DAY, T0 + LEASE_MS + 1);
      const late = await ledger.complete("r1", DAY, T0 + LEASE_MS + 2);
      expect(late).to.include({ status: "done", attempts: 1 });
    });

    it("refuses a late failure after the lease ended and the record went dead, keeping it dead", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      await new Ledger(store, SETTINGS).claim("r1", DAY, T0 + LEASE_MS + 1);
      const error = await rejection(ledger.fail("r1", DAY, T0 + LEASE_MS + 2, { reason: "late timeout" }));
      expect(error).to.be.instanceOf(LedgerConflictError);
      expect((error as LedgerConflictError).stored).to.include({ status: "dead", attempts: 1 });
      expect(await rejection(ledger.release("r1", DAY, T0 + LEASE_MS + 2))).to.be.instanceOf(LedgerConflictError);
    });

    it("refuses to fail or release a claim this invocation did not make, carrying the stored entry", async () => {
      claimed(await ledger.claim("r1", DAY, T0));
      const other = new Ledger(store, SETTINGS);
      for (const call of [() => other.fail("r1", DAY, T0 + 1, { reason: "x" }), () => other.release("r1", DAY, T0 + 1)]) {
        const error = await rejection(call());
        expect(error).to.be.instanceOf(LedgerConflictError);
        expect((error as LedgerConflictError).stored).to.include({ status: "in-progress", attempts: 1 });
      }
      expect(await ledger.fail("r1", DAY, T0 + 2, { reason: "503" })).to.include({ status: "failed", attempts: 1 });
    });

    it("refuses to complete, fail or release a record nobody claimed", async () => {
      for (const call of [() => ledger.complete("nobody", DAY, T0), () => ledger.fail("nobody", DAY, T0, { reason: "x" }), () => ledger.release("nobody", DAY, T0)]) {
        const error = await rejection(call());
        expect(error).to.be.instanceOf(LedgerConflictError);
        expect((error as LedgerConflictError).stored).to.equal(null);
      }
    });

    it("marks a malformed record dead without a claim, but never a done one", async () => {
      const dead = await ledger.markDead("49590338271490256608559692538361571095921575989136588898", DAY, T0, "malformed JSON");
      expect(dead).to.include({ status: "dead", attempts: 0, lastError: "malformed JSON", adHoc: false, createdAt: T0 });
      claimed(await ledger.claim("r1", DAY, T0));
      await ledger.complete("r1", DAY, T0 + 1);
      const error = await rejection(ledger.markDead("r1", DAY, T0 + 2, "too late"));
      expect((error as LedgerConflictError).stored).to.include({ status: "done" });
    });

    it("claims many records with one conditional write each, classifying every one", async () => {
      claimed(await ledger.claim("busy", DAY, T0));
      claimed(await ledger.claim("finished", DAY, T0));
      await ledger.complete("finished", DAY, T0);
      const results = await new Ledger(store, SETTINGS).claimMany(["a", "busy", "b", "finished"], DAY, T0 + 1);
      expect(results.map((r) => (r.claimed ? "claimed" : r.reason))).to.deep.equal(["claimed", "leased", "claimed", "done"]);
      expect(results.map((r) => r.entry.recordId)).to.deep.equal(["a", "busy", "b", "finished"]);
    });

    it("sets the TTL attribute to the end of the provider day plus ttlDays, in the provider's zone", async () => {
      const ny = new Ledger(store, { ...SETTINGS, ttlDays: 2, timezone: "America/New_York" });
      const entry = claimed(await ny.claim("r1", DAY, T0));
      // 2097-03-10 ends at midnight New York time (EDT, UTC-4: summer time began that morning); + 2 days.
      expect(entry.expiresAt).to.equal(Date.UTC(2097, 2, 13, 4) / 1000);
      await ny.addDayCounts(DAY, { done: 1 });
      const counters = await store.get({ pk: `DAY#${DAY}`, sk: "COUNTERS" });
      expect(counters?.expiresAt).to.equal(entry.expiresAt);
      expect((await store.get({ pk: "R#r1", sk: `D#${DAY}` }))?.expiresAt).to.equal(entry.expiresAt);
    });
  });
}
