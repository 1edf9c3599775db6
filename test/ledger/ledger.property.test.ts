/**
 * Concurrency properties of the ledger rules on the memory store, with
 * fast-check's scheduler choosing the order in which every store call of
 * every invocation lands.
 */
import { expect } from "chai";
import fc from "fast-check";
import { LedgerConflictError } from "../../runtime/ledger/errors";
import { LEASE_EXPIRED_OUTCOME_UNKNOWN, Ledger, type LedgerSettings } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore, type AppliedWrite } from "../../runtime/ledger/memory-store";
import type { Changes, Condition, Item, ItemKey, LedgerStore, QueryOptions } from "../../runtime/ledger/store";

const DAY = "2097-06-01";
const T0 = Date.UTC(2097, 5, 1, 9);
const SETTINGS: LedgerSettings = { providerId: "acme", maxAttempts: 3, leaseSeconds: 10, ttlDays: 7 };
const LEASE_MS = 10_000;
const RECORDS = ["a", "b"] as const;

/** Every call waits for the scheduler, then lands atomically; `onCall` learns who is writing just before. */
class ScheduledStore implements LedgerStore {
  constructor(
    private readonly inner: LedgerStore,
    private readonly turn: () => Promise<void>,
    private readonly onCall: () => void,
  ) {}
  private async landed<T>(call: () => Promise<T>): Promise<T> {
    await this.turn();
    this.onCall();
    return call();
  }
  get(key: ItemKey) {
    return this.landed(() => this.inner.get(key));
  }
  put(key: ItemKey, item: Item, condition?: Condition) {
    return this.landed(() => this.inner.put(key, item, condition));
  }
  update(key: ItemKey, changes: Changes, condition?: Condition) {
    return this.landed(() => this.inner.update(key, changes, condition));
  }
  delete(key: ItemKey, condition?: Condition) {
    return this.landed(() => this.inner.delete(key, condition));
  }
  query(pk: string, options: QueryOptions) {
    return this.landed(() => this.inner.query(pk, options));
  }
}

type Outcome = "complete" | "fail" | "fail-permanent" | "release" | "crash";
interface Step {
  record: (typeof RECORDS)[number];
  afterMs: number;
  outcome: Outcome;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  record: fc.constantFrom(...RECORDS),
  afterMs: fc.integer({ min: 0, max: 15_000 }),
  outcome: fc.constantFrom<Outcome>("complete", "fail", "fail", "fail-permanent", "release", "crash"),
});
const invocationArb = fc.record({ startMs: fc.integer({ min: 0, max: 30_000 }), steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }) });

/**
 * Who holds each record, replayed from the writes in the order they landed.
 * Each attempt number belongs to the invocation whose claim produced it (a
 * release hands the record back to the previous attempt's claimant). A
 * violation is a write that claims a record while its claimant's lease runs,
 * claims a done record, passes the attempts cap, or resolves an attempt for
 * an invocation that did not claim it.
 */
class HolderModel {
  readonly violations: string[] = [];
  private readonly claimants = new Map<string, Map<number, { inv: number; leaseUntil: number }>>();

  observe(inv: number, { key, before, after }: AppliedWrite): void {
    if (!key.pk.startsWith("R#")) return;
    let claimants = this.claimants.get(key.pk);
    if (!claimants) this.claimants.set(key.pk, (claimants = new Map()));
    const fail = (why: string) => this.violations.push(`${key.pk} by #${inv}: ${why} (before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`);
    const attemptsBefore = Number(before?.attempts ?? 0);
    const holder = before?.status === "in-progress" ? (claimants.get(attemptsBefore) ?? null) : null;
    if (before?.status === "in-progress" && !holder) fail("an attempt nobody claimed is in progress");

    if (after?.status === "in-progress" && Number(after.attempts) === attemptsBefore + 1) {
      if (before?.status === "done") fail("claimed a done record");
      if (Number(after.attempts) > SETTINGS.maxAttempts) fail("passed the attempts cap");
      if (holder) fail(`claimed while #${holder.inv} holds it (a lease that ended leaves an unknown outcome: dead, never claimed again)`);
      claimants.set(Number(after.attempts), { inv, leaseUntil: Number(after.leaseUntil) });
      return;
    }
    if (!holder || after?.status === "done") return; // completion is anyone's to report; markDead of an unclaimed record
    const byHolder = holder.inv === inv;
    const expired = after?.status === "dead" && after.lastError === LEASE_EXPIRED_OUTCOME_UNKNOWN && holder.leaseUntil < Number(after.updatedAt);
    if (!byHolder && !expired) fail(`resolved attempt ${attemptsBefore}, which #${holder.inv} claimed`);
  }
}

describe("Ledger concurrency properties (memory store, scheduled interleavings)", () => {
  it("never lets two invocations hold a record at once, claim a done record, or pass the attempts cap", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(invocationArb, { minLength: 2, maxLength: 4 }), async (s, invocations) => {
        const model = new HolderModel();
        let writer = -1;
        const memory = new MemoryLedgerStore({ onWrite: (w) => model.observe(writer, w) });
        const tally = new Map<string, { claims: number; releases: number }>(RECORDS.map((r) => [r, { claims: 0, releases: 0 }]));

        const run = async (inv: number, { startMs, steps }: (typeof invocations)[number]) => {
          const ledger = new Ledger(
            new ScheduledStore(memory, () => s.schedule(Promise.resolve(), `#${inv}`), () => (writer = inv)),
            SETTINGS,
          );
          let now = T0 + startMs;
          for (const step of steps) {
            now += step.afterMs;
            const result = await ledger.claim(step.record, DAY, now);
            if (!result.claimed) continue;
            tally.get(step.record)!.claims++;
            try {
              if (step.outcome === "complete") await ledger.complete(step.record, DAY, now + 1);
              if (step.outcome === "fail" || step.outcome === "fail-permanent") await ledger.fail(step.record, DAY, now + 1, { reason: "503", permanent: step.outcome === "fail-permanent" });
              if (step.outcome === "release") {
                await ledger.release(step.record, DAY, now + 1);
                tally.get(step.record)!.releases++;
              }
            } catch (error) {
              // Losing a race to another invocation is an answer, not a failure.
              if (!(error instanceof LedgerConflictError)) throw error;
            }
          }
        };

        const runs = Promise.all(invocations.map((inv, i) => run(i, inv)));
        await s.waitIdle();
        await runs;

        expect(model.violations, model.violations.join("\n")).to.deep.equal([]);
        // Every successful claim is an attempt unless it was released.
        const reader = new Ledger(memory, SETTINGS);
        for (const record of RECORDS) {
          const entry = await reader.entry(record, DAY);
          const { claims, releases } = tally.get(record)!;
          expect(entry?.attempts ?? 0, `attempts of ${record}`).to.equal(claims - releases);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the daily counter within the limit, granting all of it when demand exceeds it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ wanted: fc.integer({ min: 0, max: 15 }), refund: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 8 }),
        async (s, limit, callers) => {
          const memory = new MemoryLedgerStore();
          let refunded = 0;
          let granted = 0;
          const runs = Promise.all(
            callers.map(async ({ wanted, refund }) => {
              const ledger = new Ledger(new ScheduledStore(memory, () => s.schedule(Promise.resolve()), () => undefined), SETTINGS);
              const grant = await ledger.reserveRequests(DAY, wanted, limit, T0);
              expect(grant).to.be.within(0, wanted);
              granted += grant;
              const back = await ledger.refundRequests(DAY, Math.min(refund, grant));
              refunded += back;
            }),
          );
          await s.waitIdle();
          await runs;
          const { requests } = await new Ledger(memory, SETTINGS).dayStats(DAY);
          expect(requests).to.equal(granted - refunded);
          expect(granted - refunded).to.be.at.most(limit);
          const demand = callers.reduce((sum, c) => sum + c.wanted, 0);
          // Without refunds, a caller is refused only what the limit cannot hold.
          if (refunded === 0) expect(granted).to.equal(Math.min(demand, limit));
        },
      ),
      { numRuns: 300 },
    );
  });
});
