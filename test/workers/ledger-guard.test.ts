import { expect } from "chai";
import { Ledger } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { withLedgerGuard } from "../../runtime/workers/ledger-guard";

const DAY = "2097-01-07";
const NOW = Date.UTC(2097, 0, 7, 12);
const settings = { providerId: "p", maxAttempts: 3, leaseSeconds: 60, ttlDays: 7 };
const clock = { now: () => NOW };
const request = { providerId: "p", recordId: "r", day: DAY };

describe("worker ledger guard", () => {
  it("marks the record done right after a successful fetch and says so", async () => {
    const store = new MemoryLedgerStore();
    await new Ledger(store, settings).claim("r", DAY, NOW);
    const guarded = withLedgerGuard(async () => ({ ok: true, metadata: { bytes: 3 } }), () => new Ledger(store, settings), clock);
    expect(await guarded(request)).to.deep.equal({ ok: true, metadata: { bytes: 3 }, recorded: true });
    expect((await new Ledger(store, settings).entry("r", DAY))?.status).to.equal(LEDGER_STATUS.DONE);
  });

  it("leaves failures to the ventilator", async () => {
    const store = new MemoryLedgerStore();
    await new Ledger(store, settings).claim("r", DAY, NOW);
    const guarded = withLedgerGuard(async () => ({ ok: false, kind: "throttled", reason: "429" }), () => new Ledger(store, settings), clock);
    expect(await guarded(request)).to.deep.equal({ ok: false, kind: "throttled", reason: "429" });
    expect((await new Ledger(store, settings).entry("r", DAY))?.status).to.equal(LEDGER_STATUS.IN_PROGRESS);
  });

  it("answers recorded:false when the ledger cannot be written, so the ventilator writes", async () => {
    const guarded = withLedgerGuard(
      async () => ({ ok: true }),
      () => ({ complete: async () => Promise.reject(new Error("throttled")) }),
      clock,
    );
    expect(await guarded(request)).to.deep.equal({ ok: true, recorded: false });
  });
});
