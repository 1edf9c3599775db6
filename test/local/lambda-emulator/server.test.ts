/**
 * The Lambda REST API as the real @aws-sdk/client-lambda sees it, built by the
 * production client factory and pointed at the emulator; mappings read a real
 * kinesis-mock.
 */
import { expect } from "chai";
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  InvokeCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../../runtime/aws/clients";
import { createStream, startKinesisMock, type KinesisMock } from "../../../local/engines/kinesis";
import { startLambdaEmulator, type LambdaEmulator } from "../../../local/lambda-emulator";
import { delay, eventually } from "../../support/eventually";

const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString("utf8"));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (error: { name: string; message: string; $metadata: { httpStatusCode?: number } } & Record<string, unknown>) => error,
  );

describe("Lambda emulator REST API with @aws-sdk/client-lambda", function () {
  this.timeout(20_000);
  let kinesis: KinesisMock;
  let emulator: LambdaEmulator;
  let lambda: LambdaClient;
  let streamA: string;
  let streamB: string;

  before(async () => {
    kinesis = await startKinesisMock();
    emulator = await startLambdaEmulator({ kinesisEndpoint: kinesis.endpoint, updateDelayMs: 300, controlPlaneRps: null });
    lambda = lambdaClient({ endpoint: emulator.endpoint, maxAttempts: 1 });
    streamA = (await createStream(emulator.kinesis, "api-a", 1)).streamArn;
    streamB = (await createStream(emulator.kinesis, "api-b", 1)).streamArn;
    const noop = async () => null;
    for (const name of ["ventilator-a", "ventilator-b", "created"]) emulator.functions.register({ name, timeoutMs: 1_000, handler: noop });
  });

  after(async () => {
    lambda?.destroy();
    await emulator?.stop();
    await kinesis?.stop();
  });

  describe("Invoke", () => {
    it("returns the handler's result with StatusCode 200 and the executed version", async () => {
      emulator.functions.register({ name: "echo", timeoutMs: 1_000, handler: async (event: { n: number }, context) => ({ doubled: event.n * 2, name: context.functionName }) });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: JSON.stringify({ n: 21 }) }));
      expect(out.StatusCode).to.equal(200);
      expect(out.FunctionError).to.equal(undefined);
      expect(out.ExecutedVersion).to.equal("$LATEST");
      expect(decode(out.Payload)).to.deep.equal({ doubled: 42, name: "echo" });
    });

    it("does not reject when the function throws: HTTP 200, FunctionError Unhandled, the error in the payload", async () => {
      emulator.functions.register({
        name: "thrower",
        timeoutMs: 1_000,
        handler: async () => {
          throw new RangeError("record r-9 is gone");
        },
      });
      const out = await lambda.send(new InvokeCommand({ FunctionName: emulator.functions.arnOf("thrower"), Payload: "{}" }));
      expect(out.StatusCode).to.equal(200);
      expect(out.FunctionError).to.equal("Unhandled");
      const payload = decode(out.Payload);
      expect(payload).to.include({ errorType: "RangeError", errorMessage: "record r-9 is gone" });
      expect(payload.trace).to.be.an("array").that.is.not.empty;
    });

    it("reports a timed-out function as FunctionError with errorType Sandbox.Timedout", async () => {
      emulator.functions.register({ name: "sleeper", timeoutMs: 100, handler: () => delay(5_000) });
      const started = Date.now();
      const out = await lambda.send(new InvokeCommand({ FunctionName: "sleeper" }));
      expect(Date.now() - started).to.be.below(2_500);
      expect(out.StatusCode).to.equal(200);
      expect(out.FunctionError).to.equal("Unhandled");
      expect(decode(out.Payload)).to.include({ errorType: "Sandbox.Timedout" });
      expect(decode(out.Payload).errorMessage).to.match(/Task timed out after 0\.10 seconds/);
    });

    it("throttles calls over the reserved concurrency with a 429 TooManyRequestsException", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      emulator.functions.register({ name: "capped", timeoutMs: 5_000, reservedConcurrency: 1, handler: () => gate.then(() => "done") });
      const first = lambda.send(new InvokeCommand({ FunctionName: "capped" }));
      await eventually("the first call is running", () => emulator.functions.counters("capped").inFlight === 1);
      const error = await failure(lambda.send(new InvokeCommand({ FunctionName: "capped" })));
      expect(error.name).to.equal("TooManyRequestsException");
      expect(error.$metadata.httpStatusCode).to.equal(429);
      expect(error.Reason).to.equal("ReservedFunctionConcurrentInvocationLimitExceeded");
      release();
      expect(decode((await first).Payload)).to.equal("done");
    });

    it("answers ResourceNotFoundException (404) for an unknown function", async () => {
      const error = await failure(lambda.send(new InvokeCommand({ FunctionName: "nobody" })));
      expect(error.name).to.equal("ResourceNotFoundException");
      expect(error.$metadata.httpStatusCode).to.equal(404);
    });

    it("accepts an Event invocation with 202 and runs it in the background", async () => {
      let ran = false;
      emulator.functions.register({ name: "async-target", timeoutMs: 1_000, handler: async () => void (ran = true) });
      const out = await lambda.send(new InvokeCommand({ FunctionName: "async-target", InvocationType: "Event", Payload: "{}" }));
      expect(out.StatusCode).to.equal(202);
      await eventually("the event invocation ran", () => ran);
    });
  });

  describe("event source mappings", () => {
    it("UpdateEventSourceMapping is asynchronous: 202 Updating now, effective after the delay; a second update meanwhile is refused with ResourceConflictException", async () => {
      const { mapping } = emulator.createMapping({ functionName: "ventilator-a", eventSourceArn: streamA, batchSize: 10, pollIntervalMs: 50 });
      const out = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, BatchSize: 4 }));
      expect(out.$metadata.httpStatusCode).to.equal(202);
      expect(out).to.include({ UUID: mapping.uuid, State: "Updating", BatchSize: 4 });
      expect(mapping.effective.batchSize).to.equal(10);

      // "The resource already exists, or another operation is in progress" (409).
      const conflict = await failure(lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, BatchSize: 5 })));
      expect(conflict.name).to.equal("ResourceConflictException");
      expect(conflict.$metadata.httpStatusCode).to.equal(409);
      expect(conflict.message).to.match(/another operation is in progress/);

      await eventually("the update took effect", () => mapping.state === "Enabled", 2_000);
      expect(mapping.effective.batchSize).to.equal(4);
      const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }));
      expect(got).to.include({ State: "Enabled", BatchSize: 4, EventSourceArn: streamA, FunctionArn: emulator.functions.arnOf("ventilator-a") });
      expect(got.LastModified).to.be.instanceOf(Date);
    });

    it("GetEventSourceMapping and ListEventSourceMappings show the old settings while an update is in progress", async () => {
      const stream = await createStream(emulator.kinesis, "api-old-settings", 1);
      emulator.functions.register({ name: "ventilator-old", timeoutMs: 1_000, handler: async () => null });
      const { mapping } = emulator.createMapping({ functionName: "ventilator-old", eventSourceArn: stream.streamArn, batchSize: 10, pollIntervalMs: 50 });
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, BatchSize: 4, MaximumRetryAttempts: 7 }));
      const during = await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }));
      expect(during).to.include({ State: "Updating", BatchSize: 10, MaximumRetryAttempts: -1 });
      const listed = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "ventilator-old" }))).EventSourceMappings!;
      expect(listed.map((m) => [m.State, m.BatchSize])).to.deep.equal([["Updating", 10]]);
      await eventually("the update took effect", () => mapping.state === "Enabled", 2_000);
      expect(await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }))).to.include({ State: "Enabled", BatchSize: 4, MaximumRetryAttempts: 7 });

      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: false, BatchSize: 2 }));
      expect(await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid }))).to.include({ State: "Disabling", BatchSize: 4 });
      const conflict = await failure(lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: true })));
      expect(conflict.name).to.equal("ResourceConflictException");
    });

    it("refuses an update of a mapping still Creating with ResourceInUseException", async () => {
      const stream = await createStream(emulator.kinesis, "api-creating", 1);
      emulator.functions.register({ name: "ventilator-new", timeoutMs: 1_000, handler: async () => null });
      const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "ventilator-new", EventSourceArn: stream.streamArn, StartingPosition: "TRIM_HORIZON" }));
      const inUse = await failure(lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 5 })));
      expect(inUse.name).to.equal("ResourceInUseException");
      expect(inUse.$metadata.httpStatusCode).to.equal(400);
    });

    it("disabling and enabling pass through Disabling and Enabling", async () => {
      const { mapping } = emulator.createMapping({ functionName: "ventilator-b", eventSourceArn: streamB, pollIntervalMs: 50 });
      const disabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: false }));
      expect(disabling.State).to.equal("Disabling");
      await eventually("disabled", () => mapping.state === "Disabled", 2_000);
      expect(mapping.effective.enabled).to.equal(false);
      const enabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: true, BatchSize: 7 }));
      expect(enabling).to.include({ State: "Enabling", BatchSize: 7 });
      await eventually("enabled", () => mapping.state === "Enabled", 2_000);
      expect(mapping.effective).to.include({ enabled: true, batchSize: 7 });
    });

    it("ListEventSourceMappings filters by function name or ARN and by stream ARN, and pages with Marker", async () => {
      emulator.createMapping({ functionName: "ventilator-a", eventSourceArn: streamB, pollIntervalMs: 50 });
      const list = async (input: { FunctionName?: string; EventSourceArn?: string }) =>
        (await lambda.send(new ListEventSourceMappingsCommand(input))).EventSourceMappings!.map((m) => `${m.FunctionArn!.split(":").pop()}@${m.EventSourceArn!.split("/").pop()}`).sort();

      expect(await list({ FunctionName: "ventilator-a" })).to.deep.equal(["ventilator-a@api-a", "ventilator-a@api-b"]);
      expect(await list({ FunctionName: emulator.functions.arnOf("ventilator-a") })).to.deep.equal(["ventilator-a@api-a", "ventilator-a@api-b"]);
      expect(await list({ EventSourceArn: streamB })).to.deep.equal(["ventilator-a@api-b", "ventilator-b@api-b"]);
      expect(await list({ FunctionName: "ventilator-a", EventSourceArn: streamB })).to.deep.equal(["ventilator-a@api-b"]);
      expect(await list({ FunctionName: "nobody" })).to.deep.equal([]);

      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: marker }));
        expect(page.EventSourceMappings!.length).to.be.at.most(2);
        seen.push(...page.EventSourceMappings!.map((m) => m.UUID!));
        marker = page.NextMarker;
      } while (marker);
      expect(seen.sort()).to.deep.equal(emulator.mappings.all().map((m) => m.uuid).sort());
    });

    it("GetEventSourceMapping of an unknown UUID answers ResourceNotFoundException", async () => {
      const error = await failure(lambda.send(new GetEventSourceMappingCommand({ UUID: "00000000-0000-0000-0000-000000000000" })));
      expect(error.name).to.equal("ResourceNotFoundException");
    });

    it("refuses an invalid BatchSize with InvalidParameterValueException naming the field", async () => {
      const uuid = emulator.mappings.list({ functionName: "ventilator-a", eventSourceArn: streamA })[0]!.uuid;
      await eventually("the mapping is settled", () => emulator.mappings.get(uuid).settled, 2_000);
      const error = await failure(lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 0 })));
      expect(error.name).to.equal("InvalidParameterValueException");
      expect(error.message).to.match(/BatchSize 0/);
    });

    it("CreateEventSourceMapping answers 202 Creating, then the mapping is Enabled and delivers records", async () => {
      const stream = await createStream(emulator.kinesis, "api-created", 1);
      const received: string[] = [];
      emulator.functions.configure("created", { handler: async (event: { Records: { kinesis: { data: string } }[] }) => void received.push(...event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString())) });
      const out = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "created", EventSourceArn: stream.streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 3 }));
      expect(out.$metadata.httpStatusCode).to.equal(202);
      expect(out).to.include({ State: "Creating", BatchSize: 3 });
      const { PutRecordCommand } = await import("@aws-sdk/client-kinesis");
      await emulator.kinesis.send(new PutRecordCommand({ StreamName: "api-created", PartitionKey: "k", Data: Buffer.from("hello") }));
      await eventually("the record arrived", () => received.includes("hello"), 3_000);
      expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).State).to.equal("Enabled");
    });
  });

  describe("control-plane rate limit and metering", () => {
    it("refuses calls over the token bucket with TooManyRequestsException (CallerRateLimitExceeded) and counts every call by operation", async () => {
      const limited = await startLambdaEmulator({ kinesisEndpoint: kinesis.endpoint, controlPlaneRps: 4, updateDelayMs: 100 });
      const client = lambdaClient({ endpoint: limited.endpoint, maxAttempts: 1 });
      try {
        limited.functions.register({ name: "v", timeoutMs: 1_000, handler: async () => null });
        const { mapping } = limited.createMapping({ functionName: "v", eventSourceArn: streamA, enabled: false, pollIntervalMs: 50 });
        const calls = Array.from({ length: 10 }, () =>
          client.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid })).then(
            () => "ok",
            (error: { name: string; Reason?: string; $metadata: { httpStatusCode?: number } }) => `${error.name}/${error.Reason}/${error.$metadata.httpStatusCode}`,
          ),
        );
        const answers = await Promise.all(calls);
        const ok = answers.filter((a) => a === "ok").length;
        expect(ok).to.be.within(4, 5);
        expect(answers.filter((a) => a !== "ok")).to.deep.equal(Array(10 - ok).fill("TooManyRequestsException/CallerRateLimitExceeded/429"));
        // Invoke is data plane: neither limited nor counted.
        await client.send(new InvokeCommand({ FunctionName: "v" }));
        const counts = limited.controlPlane.counts();
        expect(counts).to.deep.include({ total: 10, throttled: 10 - ok, byOperation: { GetEventSourceMapping: 10 } });
        expect(limited.controlPlane.counts({ functionName: "v" }).total).to.equal(10);
      } finally {
        client.destroy();
        await limited.stop();
      }
    });
  });
});
