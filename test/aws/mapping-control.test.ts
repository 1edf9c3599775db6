import { expect } from "chai";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../runtime/aws/clients";
import { EventSourceMappingControl, MappingError, type EventSourceMappingControlOptions } from "../../runtime/aws/mapping-control";
import { FakeLambda } from "./fake-lambda";
import { FakeClock, recordingSleep } from "./http-fixture";

const FUNCTION = "ventilator";
const STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/records";
const UPDATE = "/2015-03-31/event-source-mappings/";

describe("EventSourceMappingControl (the SDK transport) against a fake Lambda endpoint", () => {
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
  });

  it("sends an update as one UpdateEventSourceMapping request with only the changed fields (the policy: test/mapping)", async () => {
    const c = control({ uuid: "m-1" });
    const result = await c.update({ batchSize: 4, enabled: true });
    expect(result).to.deep.equal({ applied: true, view: { uuid: "m-1", batchSize: 4, state: "Updating" } });
    expect(updates().map((u) => [u.path, JSON.parse(u.body)])).to.deep.equal([[UPDATE + "m-1", { BatchSize: 4 }]]);
    expect([c.getCalls, c.updateCalls]).to.deep.equal([1, 1]);
  });
});
