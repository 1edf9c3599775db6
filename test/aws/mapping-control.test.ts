import { expect } from "chai";
import fc from "fast-check";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../runtime/aws/clients";
import { EventSourceMappingControl, MappingError, type EventSourceMappingControlOptions } from "../../runtime/aws/mapping-control";
import { FakeLambda } from "./fake-lambda";
import { FakeClock, recordingSleep } from "./http-fixture";

const FUNCTION = "ventilator";
const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/records";
const UPDATE = "/2015-03-31/event-source-mappings/";

describe("EventSourceMappingControl against a fake Lambda endpoint", () => {
  let lambda: FakeLambda;
  let client: LambdaClient;
  let clock: FakeClock;
  let sleeper: ReturnType<typeof recordingSleep>;

  beforeEach(async () => {
    lambda = await new FakeLambda().start();
    client = lambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
    clock = new FakeClock();
    sleeper = recordingSleep(clock);
    lambda.addMapping({ UUID: "other", FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:someone-else", EventSourceArn: STREAM });
    lambda.addMapping({ UUID: "m-1", BatchSize: 10, State: "Enabled", EventSourceArn: STREAM });
  });
  afterEach(async () => {
    client.destroy();
    await lambda.stop();
  });

  const control = (opts: Partial<EventSourceMappingControlOptions> = {}) =>
    new EventSourceMappingControl({
      client,
      functionName: FUNCTION,
      eventSourceArn: STREAM,
      clock,
      sleep: sleeper.sleep,
      random: () => 0.5,
      ...opts,
    });
  const updates = () => lambda.requests.filter((r) => r.method === "PUT");

  describe("finding the mapping", () => {
    it("reads a known UUID with one GetEventSourceMapping and never lists", async () => {
      const c = control({ uuid: "m-1" });
      expect(await c.get()).to.deep.equal({ uuid: "m-1", batchSize: 10, state: "Enabled" });
      expect([c.getCalls, c.listCalls, lambda.count("GET", UPDATE + "m-1")]).to.deep.equal([1, 0, 1]);
    });

    it("lists once per container without a UUID, then reads by the cached UUID", async () => {
      const c = control();
      await c.get();
      await c.get();
      await c.get();
      expect(c.listCalls).to.equal(1);
      expect(c.getCalls).to.equal(3);
      const list = lambda.requests.find((r) => r.path === "/2015-03-31/event-source-mappings")!;
      expect(list.query.get("FunctionName")).to.equal(FUNCTION);
      expect(list.query.get("EventSourceArn")).to.equal(STREAM);
      expect(lambda.count("GET", UPDATE + "m-1")).to.equal(2);
    });

    it("follows NextMarker across list pages", async () => {
      lambda.leadingEmptyPages = 2;
      const c = control();
      expect((await c.get()).uuid).to.equal("m-1");
      expect(c.listCalls).to.equal(3);
      expect(lambda.requests.map((r) => r.query.get("Marker"))).to.deep.equal([null, "empty-1", "empty-2"]);
    });

    it("fails with a MappingError when two mappings match", async () => {
      lambda.addMapping({ UUID: "m-dup", EventSourceArn: STREAM });
      const err = await control().get().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(MappingError);
      expect((err as Error).message).to.contain("found 2");
    });

    it("fails with a MappingError naming function and stream when no mapping exists", async () => {
      lambda.mappings.delete("m-1");
      const err = await control().get().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(MappingError);
      expect((err as Error).message).to.contain(FUNCTION).and.contain(STREAM).and.contain("found 0");
    });

    it("retries a throttled or failing read within its time budget instead of failing (finding 10)", async () => {
      lambda.readFailures.push(
        { status: 429, type: "TooManyRequestsException", message: "Rate exceeded" },
        { status: 500, type: "ServiceException", message: "internal" },
      );
      const c = control({ uuid: "m-1", backoffBaseMs: 200 });
      expect(await c.get()).to.deep.equal({ uuid: "m-1", batchSize: 10, state: "Enabled" });
      expect(sleeper.slept).to.deep.equal([100, 200]);
      expect(c.getCalls).to.equal(3);
      lambda.readFailures.push({ status: 429, type: "TooManyRequestsException", message: "Rate exceeded" });
      const listing = control();
      expect((await listing.get()).uuid).to.equal("m-1");
    });

    it("gives a failing read up at the deadline, with a MappingError", async () => {
      for (let i = 0; i < 5; i++) lambda.readFailures.push({ status: 429, type: "TooManyRequestsException", message: "Rate exceeded" });
      const err = await control({ uuid: "m-1", backoffBaseMs: 1_000, deadlineMs: () => 300 })
        .get()
        .then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(MappingError);
      expect(sleeper.slept).to.deep.equal([]);
    });

    it("fails with a MappingError when the read itself fails", async () => {
      lambda.readFailures.push({ status: 403, type: "AccessDeniedException", message: "not allowed" });
      const err = await control({ uuid: "m-1" }).get().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(MappingError);
      expect((err as Error).message).to.contain("AccessDeniedException");
    });
  });

  describe("updating", () => {
    it("skips a change the cached view already shows, without a call", async () => {
      const c = control({ uuid: "m-1" });
      await c.get();
      const result = await c.update({ batchSize: 10, enabled: true });
      expect(result).to.deep.equal({ applied: true, view: { uuid: "m-1", batchSize: 10, state: "Enabled" } });
      expect(c.updateCalls).to.equal(0);
      expect(updates()).to.have.length(0);
    });

    it("reads the mapping first when it has no view yet, then sends only the fields that differ", async () => {
      const c = control({ uuid: "m-1" });
      const result = await c.update({ batchSize: 4, enabled: true });
      expect(result.applied).to.equal(true);
      expect(result.view).to.deep.equal({ uuid: "m-1", batchSize: 4, state: "Updating" });
      expect(JSON.parse(updates()[0]!.body)).to.deep.equal({ BatchSize: 4 });
      expect([c.getCalls, c.updateCalls]).to.deep.equal([1, 1]);
    });

    it("counts Enabling as enabled and Disabling as disabled", async () => {
      lambda.addMapping({ UUID: "m-1", State: "Disabled", EventSourceArn: STREAM });
      const c = control({ uuid: "m-1" });
      expect((await c.update({ enabled: true })).view.state).to.equal("Enabling");
      expect(await c.update({ enabled: true })).to.deep.include({ applied: true });
      expect(c.updateCalls).to.equal(1);
      expect((await c.update({ enabled: false })).view.state).to.equal("Disabling");
      expect(await c.update({ enabled: false })).to.deep.include({ applied: true });
      expect(c.updateCalls).to.equal(2);
    });

    it("keeps the known enabled flag while the mapping is Updating", async () => {
      const c = control({ uuid: "m-1", minUpdateIntervalMs: 0 });
      await c.get();
      expect((await c.update({ batchSize: 3 })).view.state).to.equal("Updating");
      await c.update({ enabled: true });
      expect(c.updateCalls).to.equal(1);
      await c.update({ enabled: false });
      expect(JSON.parse(updates()[1]!.body)).to.deep.equal({ Enabled: false });
    });

    it("holds back a second batch-size update within minUpdateIntervalMs, then lets it through", async () => {
      const c = control({ uuid: "m-1", minUpdateIntervalMs: 5_000 });
      await c.update({ batchSize: 8 });
      clock.advance(4_999);
      const held = await c.update({ batchSize: 6 });
      expect(held).to.deep.include({ applied: false, reason: "rate-limited" });
      expect(held.view.batchSize).to.equal(8);
      expect(c.updateCalls).to.equal(1);
      clock.advance(1);
      expect((await c.update({ batchSize: 6 })).applied).to.equal(true);
      expect(c.updateCalls).to.equal(2);
    });

    it("never holds back a change that toggles enabled (breaker, pause)", async () => {
      const c = control({ uuid: "m-1", minUpdateIntervalMs: 60_000 });
      await c.update({ batchSize: 2 });
      const opened = await c.update({ enabled: false });
      expect(opened.applied).to.equal(true);
      const probe = await c.update({ enabled: true, batchSize: 1 });
      expect(probe.applied).to.equal(true);
      expect(JSON.parse(updates()[2]!.body)).to.deep.equal({ BatchSize: 1, Enabled: true });
    });

    it("retries ResourceInUseException with full-jitter backoff on the injected sleep", async () => {
      lambda.updateFailures.push(
        { status: 409, type: "ResourceInUseException", message: "update in progress" },
        { status: 429, type: "TooManyRequestsException", message: "Rate exceeded" },
      );
      const c = control({ uuid: "m-1", backoffBaseMs: 200, backoffCapMs: 10_000 });
      const result = await c.update({ batchSize: 5 });
      expect(result.applied).to.equal(true);
      expect(result.view.batchSize).to.equal(5);
      // random() = 0.5: half of min(cap, base × 2^attempt).
      expect(sleeper.slept).to.deep.equal([100, 200]);
      expect(c.updateCalls).to.equal(3);
    });

    it("retries ResourceConflictException (another operation in progress) like ResourceInUse", async () => {
      lambda.updateFailures.push({ status: 409, type: "ResourceConflictException", message: "An operation is already in progress" });
      const c = control({ uuid: "m-1" });
      expect((await c.update({ batchSize: 5 })).applied).to.equal(true);
      expect(c.updateCalls).to.equal(2);
    });

    it("after a conflict, re-reads the mapping and sends nothing when the change in progress already made it", async () => {
      // An operator's pause and a batch's hold both disable the mapping: the second gets a 409 while the
      // first is in progress, and must not start an update of its own once the mapping shows Disabled.
      lambda.updateFailures.push({ status: 409, type: "ResourceConflictException", message: "An operation is already in progress" });
      const other = control({ uuid: "m-1" });
      const c = control({
        uuid: "m-1",
        sleep: async (ms) => {
          await sleeper.sleep(ms);
          if (other.updateCalls === 0) await other.update({ enabled: false });
        },
      });
      const result = await c.update({ enabled: false });
      expect(result).to.deep.include({ applied: true });
      expect(result.view.state).to.equal("Disabled");
      expect(c.updateCalls).to.equal(1);
      expect(updates().map((u) => JSON.parse(u.body))).to.deep.equal([{ Enabled: false }, { Enabled: false }]);
    });

    it("after a conflict, sends what the mapping still lacks once the other change has landed", async () => {
      lambda.updateFailures.push({ status: 409, type: "ResourceConflictException", message: "An operation is already in progress" });
      const c = control({
        uuid: "m-1",
        sleep: async (ms) => {
          await sleeper.sleep(ms);
          Object.assign(lambda.mappings.get("m-1")!, { State: "Enabled", BatchSize: 3 });
        },
      });
      const result = await c.update({ enabled: true, batchSize: 5 });
      expect(result).to.deep.include({ applied: true });
      expect(result.view.batchSize).to.equal(5);
      expect(updates().map((u) => JSON.parse(u.body))).to.deep.equal([{ BatchSize: 5 }, { BatchSize: 5 }]);
    });

    it("reports applied:false with the reason once the retries are spent", async () => {
      for (let i = 0; i < 5; i++) lambda.updateFailures.push({ status: 409, type: "ResourceInUseException", message: "busy" });
      const c = control({ uuid: "m-1", maxRetries: 2 });
      const result = await c.update({ batchSize: 5 });
      expect(result.applied).to.equal(false);
      expect(result.reason).to.contain("ResourceInUseException").and.contain("3 attempts");
      expect(result.view.batchSize).to.equal(10);
      expect(c.updateCalls).to.equal(3);
      expect(sleeper.slept).to.have.length(2);
    });

    it("does not wait past the remaining time budget", async () => {
      lambda.updateFailures.push({ status: 409, type: "ResourceInUseException", message: "busy" });
      const c = control({ uuid: "m-1", backoffBaseMs: 1_000, deadlineMs: () => 300 });
      const result = await c.update({ batchSize: 5 });
      expect(result.applied).to.equal(false);
      expect(result.reason).to.contain("no time left");
      expect(sleeper.slept).to.deep.equal([]);
      expect(c.updateCalls).to.equal(1);
    });

    it("does not retry other errors and reports them", async () => {
      lambda.updateFailures.push({ status: 400, type: "InvalidParameterValueException", message: "BatchSize too large" });
      const c = control({ uuid: "m-1" });
      const result = await c.update({ batchSize: 5 });
      expect(result).to.deep.include({ applied: false });
      expect(result.reason).to.contain("InvalidParameterValueException");
      expect(c.updateCalls).to.equal(1);
    });

    it("stops trusting a cached view older than viewMaxAgeMs (other containers change the mapping)", async () => {
      const c = control({ uuid: "m-1", viewMaxAgeMs: 30_000 });
      await c.get();
      lambda.mappings.get("m-1")!.BatchSize = 3; // another container resized it
      clock.advance(30_001);
      const result = await c.update({ batchSize: 10 });
      expect(result.applied).to.equal(true);
      expect(lambda.mappings.get("m-1")!.BatchSize).to.equal(10);
    });

    it("rejects a batch size below 1", async () => {
      const err = await control({ uuid: "m-1" }).update({ batchSize: 0 }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(RangeError);
    });

    it("never sends two batch-size-only updates within minUpdateIntervalMs (any sequence)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 4_000 }), batchSize: fc.integer({ min: 1, max: 12 }) }), { minLength: 1, maxLength: 12 }),
          async (steps) => {
            lambda.mappings.get("m-1")!.BatchSize = 10;
            const start = lambda.requests.length;
            const c = control({ uuid: "m-1", minUpdateIntervalMs: 5_000 });
            const sentAt: number[] = [];
            for (const step of steps) {
              clock.advance(step.gapMs);
              const before = c.updateCalls;
              await c.update({ batchSize: step.batchSize });
              if (c.updateCalls > before) sentAt.push(clock.now());
            }
            for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).to.be.at.least(5_000);
            expect(lambda.requests.slice(start).filter((r) => r.method === "PUT")).to.have.length(sentAt.length);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
