/**
 * The review's findings on the batch path, each as the case that broke a
 * guarantee (issue 11): never twice, never lost, no call in a closed window,
 * cap and daily limit held, attempts spent only by calls that reached the provider.
 */
import { expect } from "chai";
import { planResume } from "../../cli/operator-plan";
import { classifyAnswer } from "../../runtime/aws/lambda-invoker";
import { MappingError } from "../../runtime/aws/mapping-control";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { HAND_BACK_PAUSE_MS, processBatch } from "../../runtime/ventilator/batch";
import type { InvokeResult, LedgerPort, WorkerInvoker } from "../../runtime/ventilator/ports";
import { onSchedule } from "../../runtime/ventilator/schedule";
import type { StreamRecord } from "../../runtime/ventilator/records";
import type { WorkerHandler, WorkerRequest } from "../../runtime/workers/contract";
import { withLedgerGuard } from "../../runtime/workers/ledger-guard";
import { MemoryStore } from "../workers/support";
import { context, harness, kinesisEvent, provider, T0 } from "./fixtures";

const DAY = "2097-01-07";
const YESTERDAY = "2097-01-06";

/** The worker Lambda as the ventilator sees it: the real guard around `worker`, its answer through JSON and the real classification. */
function guardedInvoker(worker: WorkerHandler, ports: Parameters<typeof withLedgerGuard>[1], calls: WorkerRequest[]): WorkerInvoker {
  const guarded = withLedgerGuard(worker, ports);
  return {
    async invoke(request: WorkerRequest): Promise<InvokeResult> {
      calls.push(request);
      const answer = await guarded(JSON.parse(JSON.stringify(request)) as WorkerRequest);
      return { ...classifyAnswer(undefined, new TextEncoder().encode(JSON.stringify(answer))), latencyMs: 10 };
    },
  };
}

describe("ventilator guarantees (issue 11 findings)", () => {
  it("finding 1: a call whose outcome is in doubt keeps its claim until no worker can still run, so a redelivery does not fetch it again", async () => {
    const p = provider();
    const h = harness(p, () => ({ outcome: "timeout", call: "in-doubt", reason: "no answer within 12000 ms" }));
    const event = kinesisEvent([{ id: "x", payload: { n: 1 } }]);
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.have.length(1);
    expect(await h.ledger().entry("x", DAY)).to.include({ status: LEDGER_STATUS.IN_PROGRESS, attempts: 1 });
    h.worker.script = () => ({ outcome: "ok" });
    // Lambda redelivers at once: the first worker may still be fetching.
    await processBatch(event, context(), h.deps);
    expect(h.worker.calls).to.have.length(1);
    // A worker that fetched records its success itself (see the guard). Past the lease nothing did: nobody knows
    // whether the provider served it, so it is dead (with its payload, for a redrive), never fetched twice.
    h.clock.t += p.ledger.leaseSeconds * 1000 + 1;
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls).to.have.length(1);
    expect(await h.ledger().entry("x", DAY)).to.deep.include({ status: LEDGER_STATUS.DEAD, attempts: 1, payload: { n: 1 } });
  });

  it("finding 1: a worker that died mid-call leaves the record dead, not fetched again (fault search: worker crash after its fetch)", async () => {
    const h = harness(provider({ maxAttempts: 3 }), () => ({ outcome: "error", call: "died", reason: "Runtime exited with error: signal: killed" }));
    const event = kinesisEvent([{ id: "x", payload: { n: 2 } }]);
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.deep.equal([]);
    await processBatch(event, context(), h.deps);
    expect(h.worker.calls).to.have.length(1);
    const dead = await h.ledger().entry("x", DAY);
    expect(dead).to.deep.include({ status: LEDGER_STATUS.DEAD, attempts: 1, payload: { n: 2 } });
    expect(dead?.lastError).to.match(/died mid-call.*redrive/);
  });

  it("finding 1: a claim whose lease could end while its call still runs is given back instead of called", async () => {
    // Lease 70 s (timeout 10 s + 60 s); a call can run 30 s. The daily budget's reservation stalls 50 s.
    const p = provider({ dailyRequestLimit: 100 });
    const h = harness(p);
    const open = h.deps.openLedger;
    h.deps.openLedger = () => {
      const ledger = open();
      return new Proxy(ledger, {
        get(target, name, receiver) {
          if (name === "reserveRequests") {
            return async (...args: Parameters<LedgerPort["reserveRequests"]>) => {
              h.clock.t += 50_000;
              return target.reserveRequests(...args);
            };
          }
          const value = Reflect.get(target, name, receiver) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    const res = await processBatch(kinesisEvent([{ id: "x" }]), context(), h.deps);
    expect(h.worker.calls).to.have.length(0);
    expect(res.batchItemFailures).to.have.length(1);
    expect(await h.ledger().entry("x", DAY)).to.equal(null);
    expect((await h.ledger().dayStats(DAY)).requests).to.equal(0);
  });

  it("finding 1: the shortest lease validation allows still lets a call start (the slack covers the claim's own write)", async () => {
    const h = harness(provider({ ledger: { leaseSeconds: 30 } }));
    const open = h.deps.openLedger;
    h.deps.openLedger = () => {
      const ledger = open();
      return new Proxy(ledger, {
        get(target, name, receiver) {
          if (name === "claim") {
            return async (...args: Parameters<LedgerPort["claim"]>) => {
              const claimed = await target.claim(...args);
              h.clock.t += 2_000; // a slow claim write
              return claimed;
            };
          }
          const value = Reflect.get(target, name, receiver) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    await processBatch(kinesisEvent([{ id: "x" }]), context(), h.deps);
    expect(h.worker.calls).to.have.length(1);
  });

  it("finding 2: an old copy done yesterday and today's new request of the same id in one batch: today's is fetched", async () => {
    const h = harness(provider());
    const yesterday = Date.UTC(2097, 0, 6, 23, 50);
    h.clock.t = yesterday;
    await processBatch(kinesisEvent([{ id: "x", enqueuedAt: yesterday }]), context(), h.deps);
    h.clock.t = Date.UTC(2097, 0, 7, 0, 5);
    const res = await processBatch(kinesisEvent([{ id: "x", enqueuedAt: yesterday }, { id: "x", enqueuedAt: h.clock.t }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls.map((c) => [c.recordId, c.day])).to.deep.equal([
      ["x", YESTERDAY],
      ["x", DAY],
    ]);
    expect((await h.ledger().entry("x", DAY))?.status).to.equal(LEDGER_STATUS.DONE);
  });

  it("finding 3: a refused credential pauses the provider: no record dead, no attempt and no budget spent, resumed only by an operator", async () => {
    const p = provider({ dailyRequestLimit: 10 });
    const h = harness(p, () => ({ outcome: "auth", call: "made", reason: "GET https://api.example/a: 401: the provider refused the credential" }));
    const event = kinesisEvent(["a", "b", "c", "d", "e", "f"].map((id) => ({ id })));
    const res = await processBatch(event, context(), h.deps);
    expect(res.batchItemFailures).to.have.length(6);
    for (const id of ["a", "b", "c", "d", "e", "f"]) expect(await h.ledger().entry(id, DAY), id).to.equal(null);
    expect((await h.ledger().dayStats(DAY)).requests).to.equal(0);
    const pause = (await h.ledger().loadPipeline())?.state.pause;
    expect(pause).to.include({ reason: "auth" });
    expect(pause?.note).to.contain("401");
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    expect(h.logs.at(-1)).to.include({ AuthFailed: 1 });
    // The controller never saw those calls as healthy ones.
    expect(h.logs.at(-1)).to.include({ Ok: 0 });

    const calls = h.worker.calls.length;
    await processBatch(event, context(), h.deps);
    expect(h.worker.calls).to.have.length(calls);
    expect((await onSchedule(h.deps)).outcome).to.equal("auth-paused");
    const loaded = await h.ledger().loadPipeline();
    const plan = planResume({ provider: p, now: h.clock.t, loaded, by: "ops", note: "rotated the key" });
    expect(plan.kind).to.equal("save");
    expect(plan.kind === "save" && plan.state.pause).to.equal(null);
  });

  it("finding 4: a fetch whose landing failed is landed on the next delivery, and the provider is called once", async () => {
    const p = provider();
    const h = harness(p);
    const land = new MemoryStore();
    land.failWith = new Error("PutObject: ServiceUnavailable");
    let fetched = 0;
    const calls: WorkerRequest[] = [];
    h.deps.invoker = guardedInvoker(
      async (r) => {
        fetched++;
        return { ok: true, landing: { key: `unit/${r.day}/${r.recordId}.json`, body: '{"v":1}' } };
      },
      { ledger: h.ledger, land, clock: h.clock, sleep: async () => undefined },
      calls,
    );
    const event = kinesisEvent([{ id: "x" }]);
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.have.length(1);
    expect(await h.ledger().entry("x", DAY)).to.include({ status: LEDGER_STATUS.LANDING, attempts: 1 });
    land.failWith = undefined;
    h.clock.t += 3_600_000;
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.deep.equal([]);
    expect(fetched).to.equal(1);
    expect(calls.map((c) => c.mode ?? "fetch")).to.deep.equal(["fetch", "land"]);
    expect(land.objects.get("unit/2097-01-07/x.json")).to.equal('{"v":1}');
    expect(await h.ledger().entry("x", DAY)).to.include({ status: LEDGER_STATUS.DONE, attempts: 1 });
  });

  it("finding 5: starts no call that could still run past the provider's midnight", async () => {
    const h = harness(provider());
    h.clock.t = Date.UTC(2097, 0, 7, 23, 59, 40);
    const res = await processBatch(kinesisEvent([{ id: "late" }]), context(), h.deps);
    expect(h.worker.calls).to.have.length(0);
    expect(res.batchItemFailures).to.have.length(1);
    expect(await h.ledger().entry("late", DAY)).to.equal(null);
  });

  it("finding 8: a Lambda throttle spends no attempt: the claim is given back", async () => {
    const h = harness(provider({ maxAttempts: 1 }), () => ({ outcome: "throttled", call: "not-made", reason: "TooManyRequestsException: Rate Exceeded." }));
    const event = kinesisEvent([{ id: "x" }]);
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.have.length(1);
    expect(await h.ledger().entry("x", DAY)).to.equal(null);
    // The controller still sees the throttle: the worker's reserved concurrency is full.
    expect(h.logs.at(-1)).to.include({ Throttled: 1 });
    h.worker.script = () => ({ outcome: "ok" });
    await processBatch(event, context(), h.deps);
    expect(await h.ledger().entry("x", DAY)).to.include({ status: LEDGER_STATUS.DONE, attempts: 1 });
  });

  it("finding 8: a worker that could not read its credential spends no attempt, and the batch stops calling", async () => {
    const h = harness(provider({ maxConcurrency: 1, maxFanOut: 1 }), () => ({ outcome: "error", call: "not-made", reason: "credential acme/key: AccessDeniedException" }));
    const res = await processBatch(kinesisEvent(["a", "b", "c"].map((id) => ({ id }))), context(), h.deps);
    expect(h.worker.calls).to.have.length(1);
    expect(res.batchItemFailures).to.have.length(3);
    expect(await h.ledger().entry("a", DAY)).to.equal(null);
  });

  it("finding 8: a short blip cannot use up every attempt within seconds: a failed record backs off", async () => {
    const p = provider({ maxAttempts: 3, errorRateThreshold: 0.99 });
    const blipUntil = T0 + 5_000;
    const h = harness(p, () => (h.clock.t < blipUntil ? { outcome: "error", reason: "503" } : { outcome: "ok" }));
    const event = kinesisEvent([{ id: "x" }]);
    // Lambda redelivers a handed-back record within a fraction of a second.
    for (let i = 0; i < 300 && (await h.ledger().entry("x", DAY))?.status !== LEDGER_STATUS.DONE; i++) {
      await processBatch(event, context(), h.deps);
      h.clock.t += 100;
    }
    expect(await h.ledger().entry("x", DAY)).to.include({ status: LEDGER_STATUS.DONE, attempts: 2 });
  });

  it("finding 9: a paused pipeline's batches are handed back at most once per pause, not in a hot loop", async () => {
    const h = harness(provider());
    const slept: number[] = [];
    h.deps.sleep = async (ms) => {
      slept.push(ms);
      h.clock.t += ms;
    };
    h.mapping.refuse = true; // the disable has not landed: Lambda keeps delivering
    await h.ledger().savePipeline({ controller: null, pause: { reason: "operator", since: T0, by: "alice" }, updatedAt: T0 }, null);
    let loops = 0;
    while (loops < 50 && h.clock.t < T0 + 60_000) {
      await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
      loops++;
    }
    expect(loops).to.be.at.most(Math.ceil(60_000 / HAND_BACK_PAUSE_MS));
    expect(h.mapping.updates.length).to.be.at.most(loops);
    expect(slept.every((ms) => ms === HAND_BACK_PAUSE_MS)).to.equal(true);
  });

  it("finding 9: a closed window's batch waits until the window opens, not longer, and not less than it must", async () => {
    const h = harness(provider({ accessWindows: [{ start: "12:00", end: "18:00" }] }));
    const slept: number[] = [];
    h.deps.sleep = async (ms) => {
      slept.push(ms);
      h.clock.t += ms;
    };
    h.clock.t = Date.UTC(2097, 0, 7, 11, 59, 57);
    await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    expect(slept).to.deep.equal([3_000]);
  });

  it("finding 10: a mapping that cannot be read does not fail a batch whose calls are done", async () => {
    const p = provider({ initialFanOut: 1, errorRateThreshold: 0.01 });
    const h = harness(p, () => ({ outcome: "error", reason: "503" }));
    h.mapping.update = async () => {
      throw new MappingError("GetEventSourceMapping m-1 failed: TooManyRequestsException: Rate exceeded", { failure: "throttled" });
    };
    const res = await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    expect(res.batchItemFailures.length).to.be.at.least(1);
    expect(h.logs.at(-1)).to.include({ message: "batch", mappingApplied: false });
  });

  it("finding 11: a record its producer did not stamp is dated by its arrival in the stream: done yesterday, not fetched again after midnight", async () => {
    const h = harness(provider());
    const arrived = Date.UTC(2097, 0, 6, 23, 50);
    const stamped = (records: { id: string }[]) => {
      const event = kinesisEvent(records);
      for (const r of event.Records) r.kinesis.approximateArrivalTimestamp = arrived / 1000;
      return event;
    };
    h.clock.t = arrived + 60_000;
    await processBatch(stamped([{ id: "x" }]), context(), h.deps);
    h.clock.t = Date.UTC(2097, 0, 7, 0, 5);
    const res = await processBatch(stamped([{ id: "x" }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls).to.have.length(1);
  });

  it("finding 12: a record that ends dead keeps its payload and its last reason", async () => {
    const h = harness(provider(), () => ({ outcome: "permanent", reason: "GET https://api.example/x: 404" }));
    await processBatch(kinesisEvent([{ id: "x", payload: { isin: "GB0001" } }, "not json"]), context(), h.deps);
    const dead = await h.ledger().listDead(DAY);
    expect(dead.map((e) => [e.recordId.startsWith("malformed:") ? "malformed" : e.recordId, e.payload, e.lastError])).to.have.deep.members([
      ["x", { isin: "GB0001" }, "permanent: GET https://api.example/x: 404"],
      ["malformed", Buffer.from("not json").toString("base64"), "malformed: data is not JSON"],
    ]);
  });
});

describe("ventilator: records the stream is about to drop (fault search: a hold longer than the retention)", () => {
  const withArrival = (records: StreamRecord[], arrivedAt: number) => {
    const event = kinesisEvent(records);
    for (const r of event.Records) r.kinesis.approximateArrivalTimestamp = arrivedAt / 1000;
    return event;
  };

  it("gives a held record up as dead with its payload before the stream drops it, and keeps the mapping running for the next ones", async () => {
    const p = provider();
    const h = harness(p);
    await h.ledger().savePipeline({ controller: null, pause: { reason: "auth", since: T0 - 23 * 3_600_000, note: "401" }, updatedAt: T0 }, null);
    // Retention 24 h: a record that arrived 22.5 h ago is within 2 h of being dropped; one from an hour ago is not.
    const old = withArrival([{ id: "old", payload: { n: 1 } }], T0 - 22.5 * 3_600_000);
    const young = withArrival([{ id: "young" }], T0 - 3_600_000);
    const res = await processBatch({ Records: [...old.Records, ...young.Records] }, context(), h.deps);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal([young.Records[0]!.kinesis.sequenceNumber]);
    const dead = await h.ledger().entry("old", DAY);
    expect(dead).to.deep.include({ status: LEDGER_STATUS.DEAD, payload: { n: 1 } });
    expect(dead?.lastError).to.match(/^not fetched before the stream's retention \(24 h\) ends .*held: auth/);
    expect(h.mapping.updates).to.deep.equal([]);
    expect(h.worker.calls).to.have.length(0);
    // A batch with nothing near expiry is held as before: the mapping stops.
    await processBatch(young, context(), h.deps);
    expect(h.mapping.updates).to.deep.equal([{ enabled: false }]);
  });

  it("gives up a record it must hand back (backing off) when the stream is about to drop it", async () => {
    const p = provider({ maxAttempts: 3, errorRateThreshold: 0.99 });
    const h = harness(p, () => ({ outcome: "error", reason: "503" }));
    const event = withArrival([{ id: "x", payload: { n: 3 } }], T0 - 22.5 * 3_600_000);
    expect((await processBatch(event, context(), h.deps)).batchItemFailures).to.deep.equal([]);
    expect(await h.ledger().entry("x", DAY)).to.deep.include({ status: LEDGER_STATUS.DEAD, attempts: 1, payload: { n: 3 } });
  });

  it("the schedule lets a pipeline held for an hour deliver once an hour, so such records reach the ventilator", async () => {
    const h = harness(provider());
    h.mapping.view = { ...h.mapping.view, state: "Disabled" };
    await h.ledger().savePipeline({ controller: null, pause: { reason: "operator", since: T0 - 2 * 3_600_000, by: "alice" }, updatedAt: T0 }, null);
    expect(h.logs.length).to.equal(0);
    await onSchedule(h.deps);
    expect(h.mapping.updates).to.deep.equal([{ enabled: true }]);
    expect(h.logs.at(-1)).to.include({ outcome: "operator-paused", expirySweep: true });
    h.clock.t += 10 * 60_000;
    h.mapping.view = { ...h.mapping.view, state: "Disabled" };
    await onSchedule(h.deps);
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    h.clock.t += 60 * 60_000;
    await onSchedule(h.deps);
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: true });
  });
});
