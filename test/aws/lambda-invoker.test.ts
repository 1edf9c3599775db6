import { expect } from "chai";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClient, ventilatorLambdaClient } from "../../runtime/aws/clients";
import { classifyAnswer, LambdaWorkerInvoker } from "../../runtime/aws/lambda-invoker";
import type { WorkerRequest } from "../../runtime/workers/contract";
import { FakeLambda, type InvokeAnswer } from "./fake-lambda";
import { FakeClock } from "./http-fixture";
import { eventually } from "../support/eventually";

const request: WorkerRequest = { providerId: "acme", recordId: "rec-1", day: "2026-11-26", payload: { n: 1 } };
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));

describe("classifyAnswer", () => {
  const cases: { name: string; functionError?: string; payload?: unknown; expected: { outcome: string; reason?: string } }[] = [
    { name: "an ok WorkerResponse is ok", payload: { ok: true, metadata: { a: 1 } }, expected: { outcome: "ok" } },
    {
      name: "a thrown error (FunctionError) is an error with its message, not a success",
      functionError: "Unhandled",
      payload: { errorType: "ChaosFailure", errorMessage: "boom" },
      expected: { outcome: "error", reason: "boom" },
    },
    {
      name: "a Lambda timeout of the worker is a timeout",
      functionError: "Unhandled",
      payload: { errorMessage: "2026-11-26T10:00:00.000Z abc Task timed out after 30.03 seconds" },
      expected: { outcome: "timeout" },
    },
    {
      name: "errorType Sandbox.Timedout is a timeout",
      functionError: "Unhandled",
      payload: { errorType: "Sandbox.Timedout", errorMessage: "RequestId: x Error: Task timed out after 3.00 seconds" },
      expected: { outcome: "timeout" },
    },
    { name: "a FunctionError without a JSON payload is still an error", functionError: "Unhandled", payload: "oops", expected: { outcome: "error", reason: "FunctionError Unhandled" } },
    { name: "a throttled WorkerResponse keeps its kind", payload: { ok: false, kind: "throttled", reason: "429" }, expected: { outcome: "throttled", reason: "429" } },
    { name: "a permanent WorkerResponse stays permanent", payload: { ok: false, kind: "permanent", reason: "404" }, expected: { outcome: "permanent", reason: "404" } },
    { name: "a worker-reported timeout stays a timeout", payload: { ok: false, kind: "timeout", reason: "slow" }, expected: { outcome: "timeout", reason: "slow" } },
    { name: "a payload that is not JSON is an error", payload: "<html>", expected: { outcome: "error" } },
    { name: "JSON that is not a WorkerResponse is an error", payload: { status: "fine" }, expected: { outcome: "error" } },
    { name: "an unknown failure kind is an error", payload: { ok: false, kind: "meh", reason: "x" }, expected: { outcome: "error" } },
    { name: "an empty payload is an error", payload: "", expected: { outcome: "error" } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = classifyAnswer(c.functionError, bytes(c.payload));
      expect(got.outcome).to.equal(c.expected.outcome);
      if (c.expected.reason !== undefined) expect(got.reason).to.equal(c.expected.reason);
      if (c.expected.outcome !== "ok") expect(got.reason).to.be.a("string").and.not.empty;
    });
  }
});

describe("LambdaWorkerInvoker against a fake Lambda endpoint", () => {
  const lambda = new FakeLambda();
  let client: LambdaClient;
  const clock = new FakeClock();

  before(async () => {
    await lambda.start();
    client = lambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await lambda.stop();
  });

  const answer = (a: InvokeAnswer, latencyMs = 0) => {
    lambda.invoke = () => {
      clock.advance(latencyMs);
      return a;
    };
  };
  const invoker = () => new LambdaWorkerInvoker({ client, functionName: "acme-worker", clock });

  it("sends the request as a RequestResponse payload to the worker function and times the call", async () => {
    let seen: { name: string; payload: unknown } | undefined;
    lambda.invoke = (name, payload) => {
      seen = { name, payload };
      clock.advance(137);
      return { payload: { ok: true } };
    };
    const result = await invoker().invoke(request, 5_000);
    expect(result).to.deep.equal({ outcome: "ok", latencyMs: 137, call: "made" });
    expect(seen).to.deep.equal({ name: "acme-worker", payload: request });
    const last = lambda.requests.at(-1)!;
    expect(last.headers["x-amz-invocation-type"]).to.equal("RequestResponse");
  });

  it("counts a worker that threw (HTTP 200 + X-Amz-Function-Error) as an error with its message", async () => {
    answer({ functionError: "Unhandled", payload: { errorType: "ChaosFailure", errorMessage: "chaos: injected failure", trace: [] } }, 40);
    expect(await invoker().invoke(request, 5_000)).to.deep.equal({ outcome: "error", reason: "chaos: injected failure", latencyMs: 40, call: "made" });
  });

  it("counts a worker that Lambda timed out as a timeout", async () => {
    answer({ functionError: "Unhandled", payload: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 30.00 seconds" } });
    expect((await invoker().invoke(request, 5_000)).outcome).to.equal("timeout");
  });

  it("passes a worker's classified failure through, permanent included", async () => {
    answer({ payload: { ok: false, kind: "permanent", reason: "GET https://x/1: 404" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "permanent", reason: "GET https://x/1: 404" });
    answer({ payload: { ok: false, kind: "throttled", reason: "429, Retry-After 3" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "throttled", reason: "429, Retry-After 3" });
  });

  it("counts TooManyRequestsException (reserved concurrency full) as throttled", async () => {
    answer({ error: { status: 429, type: "TooManyRequestsException", message: "Rate Exceeded." } });
    const result = await invoker().invoke(request, 5_000);
    expect(result.outcome).to.equal("throttled");
    expect(result.reason).to.contain("TooManyRequestsException");
  });

  it("gives up at its own deadline with a timeout, without waiting for the worker", async () => {
    answer({ payload: { ok: true }, delayMs: 5_000 });
    const started = Date.now();
    const result = await invoker().invoke(request, 100);
    expect(result.outcome).to.equal("timeout");
    expect(result.reason).to.contain("100 ms");
    expect(Date.now() - started).to.be.below(2_500);
  });

  it("counts a service error as an error", async () => {
    answer({ error: { status: 500, type: "ServiceException", message: "internal" } });
    const result = await invoker().invoke(request, 5_000);
    expect(result.outcome).to.equal("error");
    expect(result.reason).to.contain("ServiceException");
  });

  it("counts a 404 for the function as an error, not a rejection", async () => {
    answer({ error: { status: 404, type: "ResourceNotFoundException", message: "Function not found" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error" });
  });

  it("counts an unparseable payload as an error", async () => {
    answer({ payload: "not json at all" });
    expect((await invoker().invoke(request, 5_000)).outcome).to.equal("error");
  });

  it("resolves to an error when nothing listens (network failure) instead of rejecting", async () => {
    const dead = lambdaClient({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    try {
      const result = await new LambdaWorkerInvoker({ client: dead, functionName: "acme-worker", clock }).invoke(request, 5_000);
      expect(result.outcome).to.equal("error");
      expect(result.reason).to.be.a("string").and.not.empty;
    } finally {
      dead.destroy();
    }
  });

  it("rejects an empty function name at construction", () => {
    expect(() => new LambdaWorkerInvoker({ client, functionName: "" })).to.throw(RangeError, /functionName/);
  });
});

describe("LambdaWorkerInvoker: what a call's fate tells the ledger (findings 1, 7, 8)", () => {
  const lambda = new FakeLambda();
  let client: LambdaClient;
  const clock = new FakeClock();

  before(async () => {
    await lambda.start();
    client = lambdaClient({ endpoint: lambda.endpoint, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await lambda.stop();
  });
  const invoker = (c = client) => new LambdaWorkerInvoker({ client: c, functionName: "acme-worker", clock });

  it("an answer we gave up waiting for is in doubt: the worker may still be running (finding 1)", async () => {
    lambda.invoke = () => ({ payload: { ok: true }, delayMs: 3_000 });
    expect(await invoker().invoke(request, 100)).to.include({ outcome: "timeout", call: "in-doubt" });
  });

  it("a connection lost after the request went out is in doubt, and so is a Lambda service error (finding 1)", async () => {
    lambda.invoke = () => ({ hangUp: true });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "in-doubt" });
    lambda.invoke = () => ({ error: { status: 500, type: "ServiceException", message: "internal" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "in-doubt" });
  });

  it("a Lambda throttle, a refused request, a connection never made and a worker that did not call are not calls (finding 8)", async () => {
    lambda.invoke = () => ({ error: { status: 429, type: "TooManyRequestsException", message: "Rate Exceeded." } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "throttled", call: "not-made" });
    lambda.invoke = () => ({ error: { status: 403, type: "AccessDeniedException", message: "not allowed" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "not-made" });
    lambda.invoke = () => ({ payload: { ok: false, kind: "error", reason: "credential: AccessDenied", providerCalled: false } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "not-made" });
    const dead = lambdaClient({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    try {
      expect(await invoker(dead).invoke(request, 5_000)).to.include({ outcome: "error", call: "not-made" });
    } finally {
      dead.destroy();
    }
  });

  it("a worker that died mid-call (timed out, crashed) leaves an outcome nobody knows; one that never loaded made no call", async () => {
    lambda.invoke = () => ({ functionError: "Unhandled", payload: { errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "timeout", call: "died" });
    lambda.invoke = () => ({ functionError: "Unhandled", payload: { errorType: "Runtime.ExitError", errorMessage: "Runtime exited with error: signal: killed" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "died" });
    lambda.invoke = () => ({ functionError: "Unhandled", payload: { errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module 'index'" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "not-made" });
  });

  it("an answer from the worker, a thrown error included, is a call that was made and is over", async () => {
    lambda.invoke = () => ({ functionError: "Unhandled", payload: { errorType: "ChaosFailure", errorMessage: "injected" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "error", call: "made" });
    lambda.invoke = () => ({ payload: { ok: false, kind: "throttled", reason: "429", retryAfterMs: 30_000 } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "throttled", call: "made", retryAfterMs: 30_000 });
    lambda.invoke = () => ({ payload: { ok: false, kind: "auth", reason: "401" } });
    expect(await invoker().invoke(request, 5_000)).to.include({ outcome: "auth", call: "made" });
  });

  it("the ventilator's client has a socket for every call of its fan-out: 60 calls are in flight at once, not 50 (finding 7)", async function () {
    this.timeout(20_000);
    const wide = ventilatorLambdaClient(60, { endpoint: lambda.endpoint });
    let inFlight = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    lambda.invoke = async () => {
      peak = Math.max(peak, ++inFlight);
      await gate;
      inFlight--;
      return { payload: { ok: true } };
    };
    try {
      const calls = Array.from({ length: 60 }, (_, i) => invoker(wide).invoke({ ...request, recordId: `r${i}` }, 15_000));
      await eventually("60 calls in flight at once", () => peak >= 60, 10_000);
      release();
      await Promise.all(calls);
      expect(peak).to.equal(60);
    } finally {
      wide.destroy();
    }
  });

  it("starts a call's clock when the request is sent, not while credentials load or a socket is awaited (finding 7)", async () => {
    const slow = new LambdaClient({
      endpoint: lambda.endpoint,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: async () => {
        clock.advance(700);
        return { accessKeyId: "local", secretAccessKey: "local" };
      },
    });
    lambda.invoke = () => {
      clock.advance(40);
      return { payload: { ok: true } };
    };
    try {
      expect(await invoker(slow).invoke(request, 5_000)).to.deep.equal({ outcome: "ok", latencyMs: 40, call: "made" });
    } finally {
      slow.destroy();
    }
  });
});
