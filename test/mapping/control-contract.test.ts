/**
 * The mapping control policy's contract, run against both transports: the
 * ventilator's SDK adapter and the simulator's control plane. A rule that holds
 * on one and not on the other fails here (see rigs.ts).
 */
import { expect } from "chai";
import fc from "fast-check";
import { MappingError } from "../../runtime/mapping/transport";
import { sdkRig, simRig, type Rig, type RigFactory } from "./rigs";

const IN_USE = "ResourceInUseException";
const CONFLICT = "ResourceConflictException";
const THROTTLED = "TooManyRequestsException";

for (const factory of [sdkRig, simRig] as RigFactory[]) {
  describe(`mapping control policy over ${factory.name}`, () => {
    let rig: Rig;
    const open = async (initial = { batchSize: 10, enabled: true }) => {
      rig = await factory.open(initial);
    };
    afterEach(async () => rig?.close());

    describe("the cached view", () => {
      beforeEach(() => open());

      it("skips a change the view already shows, without a request", async () => {
        const c = rig.control();
        await rig.run(() => c.get());
        const result = await rig.run(() => c.update({ batchSize: 10, enabled: true }));
        expect(result).to.deep.include({ applied: true });
        expect(result.view.batchSize).to.equal(10);
        expect([c.updateCalls, rig.sent().length]).to.deep.equal([0, 0]);
      });

      it("reads the mapping first when it has no view yet, then sends only the fields that differ", async () => {
        const c = rig.control();
        const result = await rig.run(() => c.update({ batchSize: 4, enabled: true }));
        expect(result.applied).to.equal(true);
        expect(result.view).to.deep.include({ batchSize: 4, state: "Updating" });
        expect(rig.sent()).to.deep.equal([{ BatchSize: 4 }]);
      });

      it("keeps the known enabled flag while the mapping is Updating", async () => {
        const c = rig.control({ minUpdateIntervalMs: 0 });
        await rig.run(() => c.get());
        expect((await rig.run(() => c.update({ batchSize: 3 }))).view.state).to.equal("Updating");
        await rig.run(() => c.update({ enabled: true }));
        expect(c.updateCalls).to.equal(1);
        await rig.run(() => c.update({ enabled: false }));
        expect(rig.sent()).to.deep.equal([{ BatchSize: 3 }, { Enabled: false }]);
      });

      it("stops trusting a view older than viewMaxAgeMs (other containers change the mapping)", async () => {
        const c = rig.control({ viewMaxAgeMs: 30_000 });
        await rig.run(() => c.get());
        rig.external({ BatchSize: 3 });
        await rig.advance(30_001);
        expect((await rig.run(() => c.update({ batchSize: 10 }))).applied).to.equal(true);
        expect(rig.mapping().batchSize).to.equal(10);
      });

      it("rejects a batch size below 1", async () => {
        const err = await rig.run(() => rig.control().update({ batchSize: 0 })).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(RangeError);
      });
    });

    it("counts Enabling as enabled and Disabling as disabled", async () => {
      await open({ batchSize: 10, enabled: false });
      const c = rig.control();
      expect((await rig.run(() => c.update({ enabled: true }))).view.state).to.equal("Enabling");
      expect(await rig.run(() => c.update({ enabled: true }))).to.deep.include({ applied: true });
      expect(c.updateCalls).to.equal(1);
      expect((await rig.run(() => c.update({ enabled: false }))).view.state).to.equal("Disabling");
      expect(await rig.run(() => c.update({ enabled: false }))).to.deep.include({ applied: true });
      expect(c.updateCalls).to.equal(2);
    });

    describe("spacing", () => {
      beforeEach(() => open());

      it("holds back a second batch-size update within minUpdateIntervalMs, then lets it through", async () => {
        const c = rig.control({ minUpdateIntervalMs: 5_000 });
        await rig.run(() => c.update({ batchSize: 8 }));
        await rig.advance(4_999);
        const held = await rig.run(() => c.update({ batchSize: 6 }));
        expect(held).to.deep.include({ applied: false, reason: "rate-limited" });
        expect(held.view.batchSize).to.equal(8);
        expect(c.updateCalls).to.equal(1);
        await rig.advance(1);
        expect((await rig.run(() => c.update({ batchSize: 6 }))).applied).to.equal(true);
        expect(rig.sent()).to.deep.equal([{ BatchSize: 8 }, { BatchSize: 6 }]);
      });

      it("never holds back a change that toggles enabled (breaker, pause)", async () => {
        const c = rig.control({ minUpdateIntervalMs: 60_000 });
        await rig.run(() => c.update({ batchSize: 2 }));
        expect((await rig.run(() => c.update({ enabled: false }))).applied).to.equal(true);
        expect((await rig.run(() => c.update({ enabled: true, batchSize: 1 }))).applied).to.equal(true);
        expect(rig.sent()).to.deep.equal([{ BatchSize: 2 }, { Enabled: false }, { BatchSize: 1, Enabled: true }]);
      });

      it("never sends two batch-size-only updates within minUpdateIntervalMs (any sequence)", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 4_000 }), batchSize: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 12 }),
            async (steps) => {
              const before = rig.sent().length;
              const c = rig.control({ minUpdateIntervalMs: 5_000 });
              const sentAt: number[] = [];
              for (const step of steps) {
                await rig.advance(step.gapMs);
                const calls = c.updateCalls;
                await rig.run(() => c.update({ batchSize: step.batchSize }));
                if (c.updateCalls > calls) sentAt.push(rig.elapsed());
              }
              for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).to.be.at.least(5_000);
              expect(rig.sent().length - before).to.equal(sentAt.length);
            },
          ),
          { numRuns: 25 },
        );
      });
    });

    describe("refused updates", () => {
      beforeEach(() => open());

      it("retries ResourceInUse and TooManyRequests with full-jitter backoff: random() × min(cap, base × 2^attempt)", async () => {
        rig.refuseUpdate(IN_USE, 409);
        rig.refuseUpdate(THROTTLED, 429);
        const c = rig.control({ backoffBaseMs: 200, backoffCapMs: 10_000 });
        const result = await rig.run(() => c.update({ batchSize: 5 }));
        expect(result.applied).to.equal(true);
        expect(result.view.batchSize).to.equal(5);
        expect(rig.elapsed()).to.equal(100 + 200);
        expect(c.updateCalls).to.equal(3);
      });

      it("after a 409 ResourceConflict, re-reads the mapping and sends nothing when the change in progress already made it", async () => {
        // An operator's pause and a batch's hold both disable the mapping: the second gets a 409 while the
        // first is in progress, and must not start an update of its own once the mapping shows Disabled.
        const c = rig.control();
        await rig.run(() => c.get());
        rig.external({ Enabled: false });
        rig.refuseUpdate(CONFLICT, 409);
        const result = await rig.run(() => c.update({ enabled: false }));
        expect(result).to.deep.include({ applied: true });
        expect(result.view.state).to.equal("Disabled");
        expect(c.updateCalls).to.equal(1);
        expect(rig.sent()).to.deep.equal([{ Enabled: false }]);
      });

      it("after a 409 ResourceConflict, sends what the mapping still lacks once the other change has landed", async () => {
        rig.external({ BatchSize: 3 });
        await rig.advance(0);
        rig.refuseUpdate(CONFLICT, 409);
        const c = rig.control();
        const result = await rig.run(() => c.update({ enabled: true, batchSize: 5 }));
        expect(result).to.deep.include({ applied: true });
        expect(result.view.batchSize).to.equal(5);
        expect(rig.sent()).to.deep.equal([{ BatchSize: 5 }, { BatchSize: 5 }]);
      });

      it("reports applied:false with the reason once the retries are spent", async () => {
        for (let i = 0; i < 5; i++) rig.refuseUpdate(IN_USE, 409);
        const c = rig.control({ maxRetries: 2 });
        const result = await rig.run(() => c.update({ batchSize: 5 }));
        expect(result.applied).to.equal(false);
        expect(result.reason).to.contain(IN_USE).and.contain("3 attempts");
        expect(result.view.batchSize).to.equal(10);
        expect(c.updateCalls).to.equal(3);
        expect(rig.elapsed()).to.equal(125 + 250);
      });

      it("does not wait past the remaining time budget", async () => {
        rig.refuseUpdate(IN_USE, 409);
        const c = rig.control({ backoffBaseMs: 1_000, deadlineMs: () => 300 });
        const result = await rig.run(() => c.update({ batchSize: 5 }));
        expect(result.applied).to.equal(false);
        expect(result.reason).to.contain("no time left");
        expect([rig.elapsed(), c.updateCalls]).to.deep.equal([0, 1]);
      });

      it("does not retry other refusals and reports them", async () => {
        rig.refuseUpdate("InvalidParameterValueException", 400);
        const c = rig.control();
        const result = await rig.run(() => c.update({ batchSize: 5 }));
        expect(result).to.deep.include({ applied: false });
        expect(result.reason).to.contain("InvalidParameterValueException");
        expect(c.updateCalls).to.equal(1);
      });
    });

    describe("refused reads", () => {
      beforeEach(() => open());

      it("retries a throttled or failing read within its time budget instead of failing", async () => {
        rig.refuseRead(THROTTLED, 429);
        rig.refuseRead("ServiceException", 500);
        const c = rig.control({ backoffBaseMs: 200 });
        expect((await rig.run(() => c.get())).batchSize).to.equal(10);
        expect(rig.elapsed()).to.equal(100 + 200);
      });

      it("gives a failing read up at the deadline, with a MappingError", async () => {
        for (let i = 0; i < 5; i++) rig.refuseRead(THROTTLED, 429);
        const c = rig.control({ backoffBaseMs: 1_000, deadlineMs: () => 300 });
        const err = await rig.run(() => c.get()).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(MappingError);
        expect(rig.elapsed()).to.equal(0);
      });

      it("does not retry a read refused for good (403), and names the error", async () => {
        rig.refuseRead("AccessDeniedException", 403);
        rig.refuseRead("AccessDeniedException", 403);
        const err = await rig.run(() => rig.control().get()).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(MappingError);
        expect((err as Error).message).to.contain("AccessDeniedException");
        expect(rig.elapsed()).to.equal(0);
      });
    });
  });
}
