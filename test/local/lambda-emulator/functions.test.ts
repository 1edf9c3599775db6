import { expect } from "chai";
import { LambdaApiError } from "../../../local/lambda-emulator/api-errors";
import { FunctionRegistry, type InvocationResult, type LambdaContext } from "../../../local/lambda-emulator/functions";
import { createServer, type AddressInfo, type Socket } from "node:net";
import * as path from "node:path";
import { eventually } from "../../support/eventually";
import { useVirtualTimers } from "../../support/virtual-timers";

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("in-process function registry", () => {
  it("runs the handler with a copy of the event and a Lambda-like context whose remaining time follows the clock", async () => {
    const clock = fakeClock();
    const functions = new FunctionRegistry({ clock, region: "eu-west-1", accountId: "123456789012" });
    const event = { when: new Date(0) };
    let seen: { event: unknown; context: LambdaContext; remainingBefore: number; remainingAfter: number } | undefined;
    functions.register({
      name: "probe",
      timeoutMs: 3_000,
      memoryMb: 256,
      handler: async (e, context) => {
        const remainingBefore = context.getRemainingTimeInMillis();
        clock.advance(1_200);
        seen = { event: e, context, remainingBefore, remainingAfter: context.getRemainingTimeInMillis() };
        return { at: new Date(5) };
      },
    });
    const result = await functions.invoke("probe", event);
    expect(result.functionError).to.equal(undefined);
    // The result crossed JSON, as it does on Lambda.
    expect(result.payload).to.deep.equal({ at: "1970-01-01T00:00:00.005Z" });
    expect(seen!.event).to.deep.equal({ when: "1970-01-01T00:00:00.000Z" });
    expect(seen!.context.functionName).to.equal("probe");
    expect(seen!.context.invokedFunctionArn).to.equal("arn:aws:lambda:eu-west-1:123456789012:function:probe");
    expect(seen!.context.memoryLimitInMB).to.equal("256");
    expect(seen!.context.awsRequestId).to.equal(result.requestId);
    expect(seen!.remainingBefore).to.equal(3_000);
    expect(seen!.remainingAfter).to.equal(1_800);
  });

  it("turns a thrown error into FunctionError Unhandled with errorType, errorMessage and trace", async () => {
    const functions = new FunctionRegistry();
    functions.register({ name: "thrower", timeoutMs: 1_000, handler: async () => Promise.reject(new TypeError("provider said no")) });
    const result = await functions.invoke("thrower", {});
    expect(result.functionError).to.equal("Unhandled");
    if (result.functionError === undefined) return;
    expect(result.timedOut).to.equal(false);
    expect(result.payload.errorType).to.equal("TypeError");
    expect(result.payload.errorMessage).to.equal("provider said no");
    expect(result.payload.trace[0]).to.match(/TypeError: provider said no/);
    expect(functions.counters("thrower")).to.include({ invocations: 1, errors: 1, ok: 0 });
  });

  describe("on virtual timers", () => {
    const time = useVirtualTimers();

    it("abandons a handler that outlives its timeout and reports Sandbox.Timedout", async () => {
      const functions = new FunctionRegistry();
      functions.register({ name: "slow", timeoutMs: 50, handler: () => new Promise(() => undefined) });
      let result: InvocationResult | undefined;
      void functions.invoke("slow", {}).then((r) => (result = r));
      await time.advance(49);
      expect(result, "1 ms before the timeout").to.equal(undefined);
      expect(functions.counters("slow")).to.include({ inFlight: 1 });
      await time.advance(1);
      expect(result?.functionError).to.equal("Unhandled");
      if (result?.functionError === undefined) return;
      expect(result.timedOut).to.equal(true);
      expect(result.payload.errorType).to.equal("Sandbox.Timedout");
      expect(result.payload.errorMessage).to.match(/Task timed out after 0\.05 seconds$/);
      expect(functions.counters("slow")).to.include({ timeouts: 1, inFlight: 0 });
      expect(functions.log.at(-1)).to.include({ functionName: "slow", outcome: "timeout", errorType: "Sandbox.Timedout" });
    });
  });

  it("refuses an execution over the reserved concurrency with TooManyRequestsException, and the slot frees when one ends", async () => {
    const functions = new FunctionRegistry();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    functions.register({ name: "capped", timeoutMs: 5_000, reservedConcurrency: 2, handler: () => gate.then(() => "ok") });
    const running = [functions.invoke("capped", {}), functions.invoke("capped", {})];
    const refused = await functions.invoke("capped", {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(LambdaApiError);
    expect(refused).to.include({ type: "TooManyRequestsException", status: 429 });
    expect((refused as LambdaApiError).extra.reason).to.equal("ReservedFunctionConcurrentInvocationLimitExceeded");
    release();
    await Promise.all(running);
    expect((await functions.invoke("capped", {})).payload).to.equal("ok");
    expect(functions.counters("capped")).to.include({ invocations: 3, throttles: 1, peakInFlight: 2, inFlight: 0 });
    expect(functions.log.map((r) => r.outcome)).to.deep.equal(["throttled", "ok", "ok", "ok"]);
  });

  it("finds a function by name, by ARN and by partial ARN, and answers ResourceNotFoundException otherwise", async () => {
    const functions = new FunctionRegistry();
    functions.register({ name: "worker", timeoutMs: 1_000, handler: async () => 1 });
    for (const name of ["worker", "arn:aws:lambda:us-east-1:000000000000:function:worker", "000000000000:function:worker", "worker:$LATEST"]) {
      expect((await functions.invoke(name, {})).payload).to.equal(1);
    }
    const missing = await functions.invoke("nobody", {}).catch((error: unknown) => error);
    expect(missing).to.include({ type: "ResourceNotFoundException", status: 404 });
  });

  it("records each invocation with its source and a summary of the request", async () => {
    const functions = new FunctionRegistry();
    functions.register({ name: "echo", timeoutMs: 1_000, handler: async (e) => e });
    await functions.invoke("echo", { recordId: "r-1" }, { source: "api" });
    await functions.invoke("echo", {}, { source: "kinesis", summary: "kinesis shardId-0 1 record(s)" });
    expect(functions.invocationsOf("echo").map((r) => [r.source, r.summary])).to.deep.equal([
      ["api", '{"recordId":"r-1"}'],
      ["kinesis", "kinesis shardId-0 1 record(s)"],
    ]);
  });

  it("refuses a definition with a bad timeout, naming the function and the value", () => {
    const functions = new FunctionRegistry();
    expect(() => functions.register({ name: "bad", timeoutMs: 0, handler: async () => 1 })).to.throw(RangeError, /function "bad": timeoutMs 0/);
  });
});

describe("sandboxed functions (worker threads, as Lambda runs them)", function () {
  this.timeout(30_000);
  const module = path.join(__dirname, "fixtures", "sandboxed.ts");
  let functions: FunctionRegistry;
  beforeEach(() => {
    functions = new FunctionRegistry();
  });
  afterEach(() => functions.dispose());

  it("runs the module's export in its own environment, with its own process.env, clock and logs", async () => {
    const logs: string[] = [];
    functions.register({ name: "echo", timeoutMs: 10_000, sandbox: { module, export: "echo", env: { SANDBOX_VALUE: "seen" }, clockOffsetMs: 86_400_000, onLog: (l) => logs.push(l) } });
    const before = Date.now();
    const result = await functions.invoke("echo", { n: 1 });
    expect(result.functionError).to.equal(undefined);
    const payload = result.payload as { event: unknown; functionName: string; remaining: number; env: string; now: number };
    expect(payload).to.deep.include({ event: { n: 1 }, functionName: "echo", env: "seen" });
    expect(payload.remaining).to.be.within(1, 10_000);
    expect(payload.now - before).to.be.within(86_400_000, 86_400_000 + 30_000);
    await eventually("the function's log line", () => logs.length > 0);
    expect(JSON.parse(logs[0]!)).to.deep.equal({ message: "echo", functionName: "echo" });
  });

  it("stops a timed-out invocation for good: its environment is reset and nothing it started goes on (issue 11)", async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    let lines = 0;
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on("data", (d) => (lines += String(d).split("\n").length - 1));
      socket.on("close", () => closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      functions.register({ name: "runaway", timeoutMs: 300, sandbox: { module, export: "runaway" } });
      const result = await functions.invoke("runaway", { port: (server.address() as AddressInfo).port });
      expect(result).to.deep.include({ functionError: "Unhandled", timedOut: true });
      expect(lines).to.be.greaterThan(0);
      // The environment is gone, and with it every socket and timer the function had.
      await eventually("the function's connection to close", () => closed === sockets.length && closed > 0);
      expect(functions.counters("runaway")).to.include({ timeouts: 1, inFlight: 0 });
    } finally {
      server.close();
    }
  });

  it("starts a fresh environment after a timeout, and reuses a warm one otherwise", async () => {
    functions.register({ name: "counter", timeoutMs: 5_000, sandbox: { module, export: "counter" } });
    expect((await functions.invoke("counter", {})).payload).to.deep.equal({ calls: 1 });
    expect((await functions.invoke("counter", {})).payload).to.deep.equal({ calls: 2 });
    expect(functions.coldStarts("counter")).to.equal(1);
  });

  it("reports a process that dies mid-invocation as Runtime.ExitError, and a module that cannot load as Runtime.ImportModuleError", async () => {
    functions.register({ name: "crash", timeoutMs: 5_000, sandbox: { module, export: "crash" } });
    const crashed = await functions.invoke("crash", {});
    expect(crashed.functionError).to.equal("Unhandled");
    expect(crashed.functionError && crashed.payload.errorType).to.equal("Runtime.ExitError");
    functions.register({ name: "missing", timeoutMs: 5_000, sandbox: { module, export: "nope" } });
    const missing = await functions.invoke("missing", {});
    expect(missing.functionError && missing.payload.errorType).to.equal("Runtime.ImportModuleError");
  });

  it("builds the handler from a factory export and its config", async () => {
    functions.register({ name: "configured", timeoutMs: 5_000, sandbox: { module, export: "configured", factory: true, config: { greeting: "hello" } } });
    expect((await functions.invoke("configured", {})).payload).to.deep.equal({ greeting: "hello" });
  });
});
