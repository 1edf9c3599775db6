import { expect } from "chai";
import fc from "fast-check";
import type { WorkerRequest } from "../../runtime/workers/contract";
import { withLedgerGuard } from "../../runtime/workers/ledger-guard";
import { defineWorker, isWorkerDefinition, type WorkerFunction } from "../../runtime/workers/user/define";
import { exportedWorker } from "../../runtime/workers/user/exported";
import { authFailed, isWorkerOutcome, ok, OUTCOME, permanent, throttled, transient, WorkerOutcome, type OutcomeKind } from "../../runtime/workers/user/outcome";
import { runWorker, type WorkerRuntime } from "../../runtime/workers/user/run";
import { parseSettings } from "../../runtime/workers/user/settings";
import * as z from "zod";
import { MemorySecrets, MemoryStore } from "./support";

const request: WorkerRequest = { providerId: "acme", recordId: "a/b c", day: "2026-12-03" };

function harness(run: WorkerFunction<Record<string, never>>, runtime: Partial<WorkerRuntime> = {}) {
  const lines: Record<string, unknown>[] = [];
  const calls: string[] = [];
  const handler = runWorker(defineWorker(run), {}, {
    fetch: async (url) => {
      calls.push(url);
      return new Response('{"v":1}', { status: 200, headers: { "content-type": "application/json" } });
    },
    secrets: new MemorySecrets({ "sluice/acme/key": "k" }),
    secretIds: { apiKey: "sluice/acme/key" },
    timeoutMs: () => 500,
    log: (line) => void lines.push(line),
    ...runtime,
  });
  return { handler, lines, calls };
}

describe("user worker contract: what sluice makes of the worker's answer", () => {
  it("answers ok with what ctx.land was given: an object as JSON under <provider>/<day>/<encoded id>.json", async () => {
    const { handler } = harness(async (record, ctx) => {
      ctx.land({ id: record.id });
      return ok({ n: 1 });
    });
    const key = "acme/2026-12-03/a%2Fb%20c.json";
    expect(await handler(request)).to.deep.equal({
      ok: true,
      metadata: { n: 1, key, bytes: 14 },
      landing: { key, body: '{"id":"a/b c"}', contentType: "application/json; charset=utf-8" },
    });
  });

  it("takes returning nothing as ok, landing nothing", async () => {
    expect(await harness(async () => undefined).handler(request)).to.deep.equal({ ok: true });
  });

  it("keeps a chosen key and content type under the provider's day, and refuses a key that climbs out", async () => {
    const { handler } = harness(async (_r, ctx) => void ctx.land("<x/>", { key: "raw/one.xml", contentType: "application/xml" }));
    expect(await handler(request)).to.deep.include({ landing: { key: "acme/2026-12-03/raw/one.xml", body: "<x/>", contentType: "application/xml" } });
    for (const key of ["../other/x", "/abs", "a//b", "./x"]) {
      const bad = await harness(async (_r, ctx) => void ctx.land("x", { key })).handler(request);
      expect(bad, key).to.deep.include({ ok: false, kind: "error" });
      expect(!bad.ok && bad.reason, key).to.match(/must be a relative path/);
    }
  });

  it("refuses a second body for the same record", async () => {
    const result = await harness(async (_r, ctx) => {
      ctx.land("a");
      ctx.land("b");
    }).handler(request);
    expect(result).to.deep.include({ ok: false, kind: "error" });
    expect(!result.ok && result.reason).to.match(/called twice/);
  });

  const make: Record<OutcomeKind, (reason: string, wait?: number) => WorkerOutcome> = {
    [OUTCOME.THROTTLED]: (reason, wait) => throttled(reason, wait === undefined ? {} : { retryAfterMs: wait }),
    [OUTCOME.TRANSIENT]: transient,
    [OUTCOME.TIMEOUT]: (reason) => new WorkerOutcome(OUTCOME.TIMEOUT, reason),
    [OUTCOME.PERMANENT]: permanent,
    [OUTCOME.AUTH]: authFailed,
  };

  it("gives the same answer whether an outcome is returned or thrown, at any depth (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.values(OUTCOME) as OutcomeKind[])), fc.string({ minLength: 1 }), fc.option(fc.nat(100_000), { nil: undefined }), async (kind, reason, wait) => {
        const returned = await harness(async () => make[kind](reason, wait)).handler(request);
        const thrown = await harness(async () => {
          const deep = () => {
            throw make[kind](reason, wait);
          };
          deep();
        }).handler(request);
        expect(thrown).to.deep.equal(returned);
        expect(returned).to.deep.include({ ok: false, kind, reason });
        expect((returned as { retryAfterMs?: number }).retryAfterMs).to.equal(kind === OUTCOME.THROTTLED ? wait : undefined);
      }),
      { numRuns: 60 },
    );
  });

  it("classifies any other exception as transient, with its message", async () => {
    const result = await harness(async () => {
      throw new TypeError("cannot read properties of undefined");
    }).handler(request);
    expect(result).to.deep.equal({ ok: false, kind: "error", reason: "cannot read properties of undefined", providerCalled: false });
  });

  it("says the provider was called when a transient failure came after a request", async () => {
    const result = await harness(async (_r, ctx) => {
      await ctx.fetch("https://api.acme.example/x");
      throw new Error("boom");
    }).handler(request);
    expect(result).to.deep.equal({ ok: false, kind: "error", reason: "boom" });
  });

  it("refuses an answer that is neither ok(), an outcome nor nothing", async () => {
    const result = await harness((async () => ({ status: "fine" })) as never).handler(request);
    expect(result).to.deep.include({ ok: false, kind: "error" });
    expect(!result.ok && result.reason).to.match(/expected ok\(\), an outcome, or nothing/);
  });

  it("answers timeout at the deadline, aborts the signal, and ignores what the worker does afterwards", async () => {
    let signal: AbortSignal | undefined;
    let late: unknown;
    const { handler } = harness(
      async (_r, ctx) => {
        signal = ctx.signal;
        await new Promise((r) => setTimeout(r, 200));
        try {
          ctx.land("late");
        } catch (err) {
          late = err;
        }
      },
      { timeoutMs: () => 50 },
    );
    const result = await handler(request);
    expect(result).to.deep.include({ ok: false, kind: "timeout" });
    expect(signal?.aborted).to.equal(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(String(late)).to.match(/after the worker answered/);
  });

  it("reads a secret by its catalog name and refuses a name the catalog does not declare, naming the declared ones", async () => {
    const seen: string[] = [];
    const good = await harness(async (_r, ctx) => void seen.push(await ctx.secret("apiKey"))).handler(request);
    expect(good.ok).to.equal(true);
    expect(seen).to.deep.equal(["k"]);
    const bad = await harness(async (_r, ctx) => void (await ctx.secret("password"))).handler(request);
    expect(bad).to.deep.include({ ok: false, kind: "permanent" });
    expect(!bad.ok && bad.reason).to.match(/"password".*declared: apiKey/);
  });

  it("gives the attempt back when a secret cannot be read (the provider was not called)", async () => {
    const result = await harness(async (_r, ctx) => void (await ctx.secret("apiKey")), { secrets: new MemorySecrets({}) }).handler(request);
    expect(result).to.deep.include({ ok: false, kind: "error", providerCalled: false });
  });

  it("writes one EMF line per call with the outcome and latency; the worker's log lines carry provider and record", async () => {
    const { handler, lines } = harness(async (_r, ctx) => {
      ctx.log.info("fetched", { bytes: 3 });
      return throttled("slow down", { retryAfterMs: 2_000 });
    });
    await handler(request);
    expect(lines[0]).to.deep.equal({ level: "info", message: "fetched", provider: "acme", recordId: "a/b c", bytes: 3 });
    const emf = lines[1]! as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    expect(emf._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).to.deep.equal(["WorkerLatency", "WorkerThrottled"]);
    expect(emf).to.include({ Provider: "acme", outcome: "throttled", WorkerThrottled: 1, reason: "slow down" });
    expect(emf.WorkerLatency).to.be.a("number");
  });

  it("answers permanent, calling nothing, for a request the ventilator could not have sent", async () => {
    const { handler, calls } = harness(async (_r, ctx) => void (await ctx.fetch("https://x.example/")));
    expect(await handler({ providerId: "acme", recordId: "", day: "2026-12-03" })).to.deep.include({ ok: false, kind: "permanent", providerCalled: false });
    expect(calls).to.deep.equal([]);
  });

  it("keeps a fetched body for a later landing when the landing fails behind the guard (never a re-fetch)", async () => {
    const store = new MemoryStore();
    store.failWith = new Error("PutObject failed: SlowDown");
    const { handler } = harness(async (_r, ctx) => void ctx.land({ a: 1 }));
    const result = await withLedgerGuard(handler, { land: store, clock: { now: Date.now }, sleep: async () => undefined })(request);
    expect(result).to.deep.include({ ok: false, kind: "landing" });
  });
});

describe("user worker contract: definitions and settings", () => {
  const Settings = z.strictObject({ baseUrl: z.url(), pageSize: z.number().int().min(1).default(50) });
  const worker = defineWorker(Settings, async () => ok());

  it("parses settings with the worker's schema, filling defaults", () => {
    expect(parseSettings(worker, { baseUrl: "https://a.example" })).to.deep.equal({ ok: true, settings: { baseUrl: "https://a.example", pageSize: 50 } });
  });

  it("names each settings problem as worker.settings.<field>, one line each", () => {
    const result = parseSettings(worker, { baseUrl: "nope", pageSize: 0, extra: 1 });
    expect(result.ok).to.equal(false);
    expect(!result.ok && [...result.problems].sort()).to.deep.equal([
      'unknown field "worker.settings.extra"',
      'worker.settings.baseUrl "nope": Invalid URL',
      "worker.settings.pageSize 0 is below the minimum 1",
    ].sort());
  });

  it("takes no settings without a schema", () => {
    const bare = defineWorker(async () => ok());
    expect(parseSettings(bare, {}).ok).to.equal(true);
    expect(parseSettings(bare, { a: 1 }).ok).to.equal(false);
  });

  it("recognises a worker and an outcome made by another copy of sluice (a bundle's own)", () => {
    const foreign = { [Symbol.for("sluice.worker")]: true, settings: Settings, run: async () => undefined };
    expect(isWorkerDefinition(foreign)).to.equal(true);
    const outcome = Object.assign(new Error("slow"), { name: "WorkerOutcome", kind: "throttled" });
    expect(isWorkerOutcome(outcome)).to.equal(true);
    expect(isWorkerOutcome(Object.assign(new Error("x"), { name: "WorkerOutcome", kind: "bogus" }))).to.equal(false);
  });

  const exportCases: [string, unknown, RegExp | null][] = [
    ["a default export", { default: worker }, null],
    ["an export named worker", { worker }, null],
    ["nothing", { other: 1 }, /exports no worker: add `export default defineWorker/],
    ["a bare function", { default: async () => undefined }, /default export is a function, not a worker: wrap it in defineWorker/],
    ["an object", { default: { run: () => undefined } }, /default export is an object, not a worker/],
  ];
  for (const [name, exports, error] of exportCases) {
    it(`${error ? "refuses" : "takes"} a module exporting ${name}`, () => {
      if (error) expect(() => exportedWorker(exports, "./workers/x.ts")).to.throw(error);
      else expect(exportedWorker(exports, "./workers/x.ts")).to.equal(worker);
    });
  }
});
