/**
 * Ledger rules added for the guarantees: retry backoff (finding 8), dead
 * records that keep their payload and reason, listed by day and redriven
 * (finding 12), fetched bodies kept for a pending landing (finding 4).
 * On both stores.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { LedgerConflictError } from "../../runtime/ledger/errors";
import { MAX_KEPT_BODY_BYTES } from "../../runtime/ledger/kept-text";
import { LEASE_EXPIRED_OUTCOME_UNKNOWN, Ledger, type LedgerSettings } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import { StoreUnavailableError, type LedgerStore } from "../../runtime/ledger/store";
import { STORE_KINDS, storeFixture } from "./stores";

const DAY = "2097-03-10";
const T0 = Date.UTC(2097, 2, 10, 8, 0, 0);
const SETTINGS: LedgerSettings = { providerId: "acme", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7, retryBackoffSeconds: 10 };

for (const kind of STORE_KINDS) {
  describe(`Ledger guarantees (${kind} store)`, function () {
    const fixture = storeFixture(kind);
    let store: LedgerStore;
    let ledger: () => Ledger;
    beforeEach(async () => {
      store = await fixture.fresh();
      ledger = () => new Ledger(store, SETTINGS);
    });

    it("a failed record waits out a doubling backoff before its next claim, so a blip cannot spend every attempt (finding 8)", async () => {
      const l = ledger();
      await l.claim("r", DAY, T0);
      expect(await l.fail("r", DAY, T0 + 100, { reason: "error: 503" })).to.include({ status: "failed", notBefore: T0 + 100 + 10_000 });
      expect(await l.claim("r", DAY, T0 + 5_000)).to.deep.include({ claimed: false, reason: "backing-off" });
      expect((await l.claim("r", DAY, T0 + 10_100)).claimed).to.equal(true);
      expect(await l.fail("r", DAY, T0 + 10_200, { reason: "error: 503" })).to.include({ notBefore: T0 + 10_200 + 20_000 });
      // A provider's Retry-After wins when it asks for longer.
      await l.claim("r", DAY, T0 + 30_200);
      const last = await l.fail("r", DAY, T0 + 30_300, { reason: "throttled", retryAfterMs: 1 });
      expect(last.status).to.equal("dead");
      const other = ledger();
      await other.claim("q", DAY, T0);
      expect(await other.fail("q", DAY, T0, { reason: "throttled", retryAfterMs: 120_000 })).to.include({ notBefore: T0 + 120_000 });
    });

    it("a dead record keeps its payload and last reason, and is listed under its day (finding 12)", async () => {
      const l = ledger();
      await l.claim("a", DAY, T0);
      await l.fail("a", DAY, T0, { reason: "permanent: 404", permanent: true, payload: { isin: "GB00" } });
      await l.markDead("malformed:0001", DAY, T0, "malformed: data is not JSON", { payload: "bm90IGpzb24=" });
      // A lease that ended with no result: the claim that finds it keeps the payload it was given.
      await ledger().claim("b", DAY, T0);
      expect(await ledger().claim("b", DAY, T0 + 600_000, { payload: { isin: "US1" } })).to.deep.include({ claimed: false, reason: "dead", becameDead: true });
      const dead = await ledger().listDead(DAY);
      expect(dead.map((e) => [e.recordId, e.payload, e.lastError])).to.have.deep.members([
        ["a", { isin: "GB00" }, "permanent: 404"],
        ["malformed:0001", "bm90IGpzb24=", "malformed: data is not JSON"],
        ["b", { isin: "US1" }, LEASE_EXPIRED_OUTCOME_UNKNOWN],
      ]);
    });

    it("keeps a large payload gzipped, and names one too large to keep in the reason instead of dropping it silently", async () => {
      const l = ledger();
      const repetitive = { rows: "x".repeat(200_000) };
      const random = { rows: Array.from({ length: 20_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join("") };
      await l.markDead("big", DAY, T0, "permanent: 410", { payload: repetitive });
      await l.markDead("huge", DAY, T0, "permanent: 410", { payload: random });
      const [big, huge] = await Promise.all([l.entry("big", DAY), l.entry("huge", DAY)]);
      expect(big).to.deep.include({ payload: repetitive, lastError: "permanent: 410" });
      expect(huge!.payload).to.equal(undefined);
      expect(huge!.lastError).to.match(/^permanent: 410 \(its payload of \d+ bytes was too large to keep: re-enqueue it from its source\)$/);
    });

    it("redrive gives a dead record a fresh day of attempts and keeps its payload; only dead records (finding 12)", async () => {
      const l = ledger();
      await l.claim("a", DAY, T0);
      await l.fail("a", DAY, T0, { reason: "auth went bad", permanent: true, payload: { n: 1 } });
      const again = await ledger().redrive("a", DAY, T0 + 1);
      expect(again).to.deep.include({ status: "failed", attempts: 0, payload: { n: 1 } });
      expect(await ledger().listDead(DAY)).to.deep.equal([]);
      expect((await ledger().claim("a", DAY, T0 + 2)).claimed).to.equal(true);
      const err = await ledger()
        .redrive("a", DAY, T0 + 3)
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(LedgerConflictError);
    });

    it("a fetch whose landing failed keeps its body: never claimed for a fetch again, landed later, then done (finding 4)", async () => {
      const l = ledger();
      await l.claim("r", DAY, T0);
      const kept = await l.keepForLanding("r", DAY, T0 + 10, { body: '{"v":1}', key: "acme/2097-03-10/r.json", contentType: "application/json", reason: "landing: S3 503" });
      expect(kept.kept).to.equal(true);
      expect(await ledger().claim("r", DAY, T0 + 500_000)).to.deep.include({ claimed: false, reason: "landing" });
      expect(await ledger().keptBody("r", DAY)).to.deep.equal({ body: '{"v":1}', key: "acme/2097-03-10/r.json", contentType: "application/json" });
      expect((await ledger().claimLanding("r", DAY, T0 + 20)).entry).to.include({ landingAttempts: 2 });
      expect((await ledger().claimLanding("r", DAY, T0 + 30)).entry).to.include({ landingAttempts: 3 });
      expect(await ledger().claimLanding("r", DAY, T0 + 40)).to.deep.include({ claimed: false });
      const done = await ledger().complete("r", DAY, T0 + 50);
      expect(done).to.include({ status: "done", bodyKept: false, attempts: 1 });
      expect(await ledger().keptBody("r", DAY)).to.equal(null);
    });

    it("keeps a large body gzipped, and refuses to keep one that cannot fit an item", async () => {
      const l = ledger();
      await l.claim("big", DAY, T0);
      const repetitive = JSON.stringify({ rows: Array.from({ length: 40_000 }, () => "same row") });
      expect(Buffer.byteLength(repetitive)).to.be.above(MAX_KEPT_BODY_BYTES);
      expect((await l.keepForLanding("big", DAY, T0, { body: repetitive, key: "k", reason: "landing failed" })).kept).to.equal(true);
      expect((await ledger().keptBody("big", DAY))?.body).to.equal(repetitive);
      const noise = randomBytes(250_000).toString("hex");
      const m = ledger();
      await m.claim("huge", DAY, T0);
      expect(await m.keepForLanding("huge", DAY, T0, { body: noise, key: "k", reason: "landing failed" })).to.deep.equal({ kept: false, bytes: 500_000 });
      expect((await ledger().entry("huge", DAY))?.status).to.equal("in-progress");
    });

    it("a dead record that keeps a fetched body is redriven to its landing, not to a second fetch", async () => {
      const l = ledger();
      await l.claim("r", DAY, T0);
      await l.keepForLanding("r", DAY, T0, { body: "{}", key: "k", reason: "landing failed" });
      await ledger().markDead("r", DAY, T0 + 1, "landing failed 3 times");
      expect((await ledger().listDead(DAY)).map((e) => [e.recordId, e.bodyKept])).to.deep.equal([["r", true]]);
      expect(await ledger().redrive("r", DAY, T0 + 2)).to.deep.include({ status: "landing", landingAttempts: 0, attempts: 1 });
    });
  });
}

describe("Ledger claims whose answer was lost", () => {
  /** A store that applies a write, then answers as if it had failed: a DynamoDB 500, or a connection lost after sending. */
  class LosingStore extends MemoryLedgerStore {
    lose = 0;
    override async update(...args: Parameters<MemoryLedgerStore["update"]>) {
      const result = await super.update(...args);
      if (this.lose > 0) {
        this.lose--;
        throw new StoreUnavailableError("update", args[0], "InternalServerError: the write may or may not have been applied");
      }
      return result;
    }
  }

  it("a claim that was written but answered with an error reads the item back and knows it is its own", async () => {
    const store = new LosingStore();
    store.lose = 1;
    const l = new Ledger(store, SETTINGS);
    expect((await l.claim("r", DAY, T0)).claimed).to.equal(true);
    // Being its own, it can be released: no attempt is left behind for a call that was never made.
    await l.release("r", DAY, T0 + 1);
    expect(await new Ledger(store, SETTINGS).entry("r", DAY)).to.equal(null);
  });

  it("a retried claim refused by its own first write is still its claim", async () => {
    const store = new MemoryLedgerStore();
    const ids = ["same", "same"];
    const l = new Ledger(store, SETTINGS, () => ids.shift()!);
    expect((await l.claim("r", DAY, T0)).claimed).to.equal(true);
    expect((await l.claim("r", DAY, T0)).claimed).to.equal(true);
    expect(await new Ledger(store, SETTINGS).entry("r", DAY)).to.include({ attempts: 1 });
    // Someone else's claim is still refused.
    expect(await new Ledger(store, SETTINGS).claim("r", DAY, T0)).to.deep.include({ claimed: false, reason: "leased" });
  });
});
