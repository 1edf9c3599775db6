import { expect } from "chai";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClient } from "../../runtime/aws/clients";
import { classifyAnswer, LambdaWorkerInvoker } from "../../runtime/aws/lambda-invoker";
import type { WorkerRequest } from "../../runtime/workers/contract";
import { FakeLambda, type InvokeAnswer } from "./fake-lambda";
import { FakeClock } from "./http-fixture";

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
    expect(result).to.deep.equal({ outcome: "ok", latencyMs: 137 });
    expect(seen).to.deep.equal({ name: "acme-worker", payload: request });
    const last = lambda.requests.at(-1)!;
    expect(last.headers["x-amz-invocation-type"]).to.equal("RequestResponse");
  });

  it("counts a worker that threw (HTTP 200 + X-Amz-Function-Error) as an error with its message", async () => {
    answer({ functionError: "Unhandled", payload: { errorType: "ChaosFailure", errorMessage: "chaos: injected failure", trace: [] } }, 40);
    expect(await invoker().invoke(request, 5_000)).to.deep.equal({ outcome: "error", reason: "chaos: injected failure", latencyMs: 40 });
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
