import { expect } from "chai";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { GATE_RECHECK_MS, malformedKey, processBatch } from "../../runtime/ventilator/batch";
import { createVentilator } from "../../runtime/ventilator/handler";
import { context, harness, kinesisEvent, pastWarmUp, provider, T0 } from "./fixtures";

const DAY = "2097-01-07";

describe("ventilator batch lifecycle", () => {
  it("fetches each record once, marks it done and reports no failures", async () => {
    const h = harness(provider());
    const res = await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls.map((c) => c.recordId)).to.deep.equal(["a", "b"]);
    expect(h.worker.calls[0]).to.include({ providerId: "unit", day: DAY });
    expect((await h.ledger().entry("a", DAY))?.status).to.equal(LEDGER_STATUS.DONE);
  });

  it("skips records already done today and duplicates within the batch", async () => {
    const h = harness(provider());
    await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    const res = await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }, { id: "b" }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls.map((c) => c.recordId)).to.deep.equal(["a", "b"]);
    const line = h.logs.at(-1)!;
    expect(line.Deduplicated).to.equal(2);
  });

  it("dead-letters malformed records by sequence number without blocking the batch", async () => {
    const h = harness(provider());
    const event = kinesisEvent(["not json", JSON.stringify({ nope: 1 }), { id: "ok" }]);
    const res = await processBatch(event, context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    for (const r of event.Records.slice(0, 2)) {
      const dead = await h.ledger().entry(malformedKey(r.kinesis.sequenceNumber), DAY);
      expect(dead?.status).to.equal(LEDGER_STATUS.DEAD);
      expect(dead?.lastError).to.match(/^malformed: /);
    }
    expect(h.worker.calls).to.have.length(1);
  });

  it("starts at the controller's limit and never has more than maxFanOut calls in flight", async () => {
    const p = provider({ maxConcurrency: 8, maxFanOut: 8, initialFanOut: 3 });
    const h = harness(p);
    await pastWarmUp(h, p);
    await processBatch(kinesisEvent(Array.from({ length: 40 }, (_, i) => ({ id: `r${i}` }))), context(), h.deps);
    expect(h.worker.calls).to.have.length(40);
    expect(h.worker.peak).to.be.at.most(8);
    expect(h.logs.at(-1)!.limitUsed).to.equal(3);
  });

  it("adapts the limit wave by wave inside one long batch (adaptive)", async () => {
    const p = provider({ maxConcurrency: 8, maxFanOut: 8, initialFanOut: 2 });
    const h = harness(p);
    await pastWarmUp(h, p);
    await processBatch(kinesisEvent(Array.from({ length: 60 }, (_, i) => ({ id: `g${i}` }))), context(), h.deps);
    // Good waves grow the limit within the batch: the batch ends well above where it started.
    expect(h.worker.peak).to.be.above(2);
    expect(h.logs.at(-1)!.Limit as number).to.be.above(2);
  });

  it("takes in a lower limit a parallel batch saved meanwhile, at the next gate recheck", async () => {
    const p = provider({ maxConcurrency: 8, maxFanOut: 8, maxAttempts: 5 });
    const h = harness(p);
    const mine = await pastWarmUp(h, p);
    let started = 0;
    const inFlightAtStart: number[] = [];
    h.worker.script = () => {
      started++;
      inFlightAtStart.push(h.worker.inFlight);
      if (started === 20) {
        // Another lane decreased to 2 and saved it; time passes beyond the recheck.
        void h.ledger().loadPipeline().then((saved) => h.ledger().savePipeline({ ...saved!.state, controller: { ...mine, limit: 2, lastGoodLimit: 3, lastDecreaseAt: h.clock.t } }, saved!.version));
        h.clock.t += GATE_RECHECK_MS + 1;
      }
      return { outcome: "ok" };
    };
    await processBatch(kinesisEvent(Array.from({ length: 80 }, (_, i) => ({ id: `p${i}` }))), context(), h.deps);
    expect(Math.max(...inFlightAtStart.slice(0, 20))).to.equal(8);
    expect(Math.max(...inFlightAtStart.slice(40))).to.be.at.most(2);
  });

  it("a congested wave lowers the limit for the rest of the same batch", async () => {
    const p = provider({ maxConcurrency: 8, maxFanOut: 8, errorRateThreshold: 0.3, maxAttempts: 5 });
    const h = harness(p);
    await pastWarmUp(h, p);
    let n = 0;
    h.worker.script = () => (++n <= 3 ? { outcome: "throttled", reason: "429" } : { outcome: "ok" });
    await processBatch(kinesisEvent(Array.from({ length: 40 }, (_, i) => ({ id: `c${i}` }))), context(), h.deps);
    const line = h.logs.at(-1)!;
    expect(line.limitUsed).to.equal(8);
    expect(line.Limit as number).to.be.below(8);
    expect(h.worker.calls).to.have.length(40);
  });

  it("hands back retryable failures and ends a record dead at the attempts cap", async () => {
    const p = provider({ maxAttempts: 2, errorRateThreshold: 0.99 });
    const h = harness(p, (r) => (r.recordId === "bad" ? { outcome: "error", reason: "FunctionError boom" } : { outcome: "ok" }));
    const event = kinesisEvent([{ id: "bad" }, { id: "good" }]);
    const first = await processBatch(event, context(), h.deps);
    expect(first.batchItemFailures).to.deep.equal([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }]);
    // The failed record waits out its retry backoff (the catalog's 10 s) before its next attempt.
    h.clock.t += 10_000;
    const second = await processBatch(event, context(), h.deps);
    expect(second.batchItemFailures).to.deep.equal([]);
    const bad = await h.ledger().entry("bad", DAY);
    expect(bad).to.include({ status: LEDGER_STATUS.DEAD, attempts: 2, lastError: "error: FunctionError boom" });
    expect(h.worker.calls.filter((c) => c.recordId === "good")).to.have.length(1);
  });

  it("ends a permanent failure dead at once and does not count it as congestion", async () => {
    const h = harness(provider(), () => ({ outcome: "permanent", reason: "HTTP 404" }));
    const res = await processBatch(kinesisEvent([{ id: "gone" }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(await h.ledger().entry("gone", DAY)).to.include({ status: LEDGER_STATUS.DEAD, attempts: 1 });
    expect(h.logs.at(-1)!.Ok).to.equal(1);
  });

  it("does not write completion again when the worker's guard recorded it", async () => {
    const h = harness(provider(), () => ({ outcome: "ok", recorded: true }));
    let completes = 0;
    const base = h.deps.openLedger;
    h.deps.openLedger = () => {
      const l = base();
      const complete = l.complete.bind(l);
      l.complete = async (...args) => {
        completes++;
        return complete(...args);
      };
      return l;
    };
    await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    expect(completes).to.equal(0);
  });

  it("hands back records it has no time left to start, without counting an attempt", async () => {
    const h = harness(provider());
    // Worker timeout 10 s + margins: 14 s left is not enough to start a call.
    const res = await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(14_000), h.deps);
    expect(res.batchItemFailures).to.have.length(2);
    expect(h.worker.calls).to.have.length(0);
    expect(await h.ledger().entry("a", DAY)).to.equal(null);
  });

  it("under throttling drops to one call at a time, opens the breaker once the provider refuses it too, and hands the rest back", async () => {
    const p = provider({ maxConcurrency: 2, maxFanOut: 2, maxAttempts: 5 });
    const h = harness(p, () => ({ outcome: "throttled", reason: "429" }));
    await pastWarmUp(h, p);
    const res = await processBatch(kinesisEvent(Array.from({ length: 60 }, (_, i) => ({ id: `t${i}` }))), context(), h.deps);
    expect(h.worker.peak).to.equal(2);
    expect(h.worker.calls.length).to.be.within(10, 30);
    expect(res.batchItemFailures).to.have.length(60);
    expect(h.logs.at(-1)).to.include({ BreakerOpen: 1, action: "open-breaker" });
  });

  it("finishes the whole batch under the step strategy, like the original demo", async () => {
    const p = provider({ maxConcurrency: 2, maxFanOut: 2, maxAttempts: 5, controller: { strategy: "step" } });
    const h = harness(p, () => ({ outcome: "throttled", reason: "429" }));
    await processBatch(kinesisEvent(Array.from({ length: 6 }, (_, i) => ({ id: `s${i}` }))), context(), h.deps);
    expect(h.worker.calls).to.have.length(6);
  });

  it("closed window: calls nothing, pauses, disables the mapping and hands the batch back", async () => {
    const p = provider({ accessWindows: [{ start: "20:00", end: "06:00" }] });
    const h = harness(p);
    const event = kinesisEvent([{ id: "a" }, { id: "b" }]);
    const res = await processBatch(event, context(), h.deps);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal(event.Records.map((r) => r.kinesis.sequenceNumber));
    expect(h.worker.calls).to.have.length(0);
    expect(h.mapping.updates).to.deep.equal([{ enabled: false }]);
    const saved = await h.ledger().loadPipeline();
    expect(saved?.state.pause).to.deep.include({ reason: "outside-window", since: T0 });
  });

  it("maintenance: pauses with reason maintenance", async () => {
    const p = provider({ maintenanceWindows: [{ day: "sun", start: "11:00", end: "13:00" }] });
    const h = harness(p);
    h.clock.t = Date.UTC(2097, 0, 6, 12, 0, 0); // a Sunday at noon
    await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    expect((await h.ledger().loadPipeline())?.state.pause?.reason).to.equal("maintenance");
    expect(h.worker.calls).to.have.length(0);
  });

  it("daily limit: calls up to the limit, hands back the rest and pauses for the day", async () => {
    const p = provider({ dailyRequestLimit: 3 });
    const h = harness(p);
    const event = kinesisEvent(Array.from({ length: 4 }, (_, i) => ({ id: `d${i}` })));
    const res = await processBatch(event, context(), h.deps);
    expect(h.worker.calls).to.have.length(3);
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).to.deep.equal([event.Records[3]!.kinesis.sequenceNumber]);
    expect((await h.ledger().loadPipeline())?.state.pause?.reason).to.equal("daily-limit");
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    expect((await h.ledger().dayStats(DAY)).requests).to.equal(3);
    // The next batch the same day calls nothing.
    await processBatch(kinesisEvent([{ id: "d3" }]), context(), h.deps);
    expect(h.worker.calls).to.have.length(3);
  });

  it("starts no call that could still run when the access window closes, even inside a running batch", async () => {
    // A 10 s worker call can run 30 s after it is sent (its Lambda's 15 s, a 10 s cold start, 5 s of slack).
    const p = provider({ maxConcurrency: 1, maxFanOut: 1, accessWindows: [{ start: "06:00", end: "12:00" }] });
    const h = harness(p);
    h.clock.t = Date.UTC(2097, 0, 7, 11, 59, 0);
    h.worker.script = () => {
      h.clock.t += 4_000;
      return { outcome: "ok" };
    };
    const res = await processBatch(kinesisEvent(Array.from({ length: 10 }, (_, i) => ({ id: `w${i}` }))), context(), h.deps);
    // Calls start at 11:59:00, :04, ... :28; the one due at 11:59:32 could still run at 12:00:02 and does not start.
    expect(h.worker.calls).to.have.length(8);
    expect(res.batchItemFailures).to.have.length(2);
  });

  it("does not re-fetch after midnight a record already fetched on the day it was enqueued", async () => {
    const h = harness(provider());
    const yesterday = Date.UTC(2097, 0, 6, 23, 50);
    h.clock.t = yesterday;
    await processBatch(kinesisEvent([{ id: "late", enqueuedAt: yesterday - 60_000 }]), context(), h.deps);
    h.clock.t = Date.UTC(2097, 0, 7, 0, 5);
    // Lambda re-sends it after midnight (it followed a failed record in the shard).
    const res = await processBatch(kinesisEvent([{ id: "late", enqueuedAt: yesterday - 60_000 }]), context(), h.deps);
    expect(res.batchItemFailures).to.deep.equal([]);
    expect(h.worker.calls).to.have.length(1);
    // Enqueued again today by the scheduler, it is today's work.
    await processBatch(kinesisEvent([{ id: "late", enqueuedAt: h.clock.t }]), context(), h.deps);
    expect(h.worker.calls).to.have.length(2);
  });

  it("does not pause for the daily limit while budget is left, whatever the batch size", async () => {
    const h = harness(provider({ dailyRequestLimit: 5 }));
    await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    // A big redelivered batch: mostly records already done, two new ones.
    await processBatch(kinesisEvent(["a", "b", "c", "d"].map((id) => ({ id }))), context(), h.deps);
    expect((await h.ledger().loadPipeline())?.state.pause ?? null).to.equal(null);
    expect((await h.ledger().dayStats(DAY)).requests).to.equal(4);
  });

  it("refunds reserved requests that were not spent on calls", async () => {
    const h = harness(provider({ dailyRequestLimit: 10 }));
    await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    expect((await h.ledger().dayStats(DAY)).requests).to.equal(2);
  });

  it("an operator pause holds every batch", async () => {
    const h = harness(provider());
    await h.ledger().savePipeline({ controller: null, pause: { reason: "operator", since: T0, by: "alice" }, updatedAt: T0 }, null);
    const res = await processBatch(kinesisEvent([{ id: "a" }]), context(), h.deps);
    expect(res.batchItemFailures).to.have.length(1);
    expect(h.worker.calls).to.have.length(0);
  });

  it("opens the breaker when the provider fails call after call, disabling the mapping", async () => {
    const p = provider({ initialFanOut: 1, maxAttempts: 5 });
    const h = harness(p, () => ({ outcome: "error", reason: "503" }));
    await processBatch(kinesisEvent(Array.from({ length: 10 }, (_, i) => ({ id: `f${i}` }))), context(), h.deps);
    expect(h.worker.calls.length).to.be.within(3, 8);
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    const state = (await h.ledger().loadPipeline())!.state.controller as { breaker: { status: string } };
    expect(state.breaker.status).to.equal("open");
    expect(h.logs.at(-1)).to.include({ BreakerOpen: 1, action: "open-breaker" });
    // While open, batches that still arrive are handed back without calls.
    const calls = h.worker.calls.length;
    const res = await processBatch(kinesisEvent([{ id: "b" }]), context(), h.deps);
    expect(res.batchItemFailures).to.have.length(1);
    expect(h.worker.calls).to.have.length(calls);
  });

  it("logs one EMF line per batch with the metrics the dashboard reads", async () => {
    const h = harness(provider());
    await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    expect(h.logs).to.have.length(1);
    const line = h.logs[0]!;
    const emf = (line._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!;
    expect(emf.Namespace).to.equal("Test");
    expect(emf.Dimensions).to.deep.equal([["Provider"]]);
    const names = emf.Metrics.map((m) => m.Name);
    for (const n of ["BatchSize", "Limit", "InFlight", "Ok", "Error", "Throttled", "Timeout", "LatencyP50", "LatencyP95", "BreakerOpen"]) expect(names).to.include(n);
    expect(line).to.include({ Provider: "unit", BatchSize: 2, Ok: 2, breaker: "closed", message: "batch" });
  });

  it("counts today's outcomes once per batch, ad-hoc work apart", async () => {
    const h = harness(provider({ maxAttempts: 1, errorRateThreshold: 0.99 }), (r) => (r.recordId === "x" ? { outcome: "error", reason: "500" } : { outcome: "ok" }));
    await processBatch(kinesisEvent([{ id: "a" }, { id: "b", adHoc: true }, { id: "x", adHoc: true }, "junk"]), context(), h.deps);
    expect(await h.ledger().dayStats(DAY)).to.include({ done: 2, failed: 0, dead: 2, adHocDone: 1, adHocFailed: 0, adHocDead: 1 });
    expect((await h.ledger().entry("b", DAY))?.adHoc).to.equal(true);
  });

  it("a pause set while a long batch runs stops it from starting more calls", async () => {
    const p = provider({ maxConcurrency: 1, maxFanOut: 1 });
    let pausedAt = -1;
    const h = harness(p);
    h.worker.script = (r) => {
      // Each call takes 4 s; after the second, an operator pauses the pipeline.
      h.clock.t += 4_000;
      if (r.recordId === "r1") {
        pausedAt = h.clock.t;
        void h.ledger().loadPipeline().then((loaded) =>
          h.ledger().savePipeline({ controller: loaded?.state.controller ?? null, pause: { reason: "operator", since: pausedAt, by: "carol" }, updatedAt: pausedAt }, loaded?.version ?? null),
        );
      }
      return { outcome: "ok" };
    };
    const res = await processBatch(kinesisEvent(Array.from({ length: 8 }, (_, i) => ({ id: `r${i}` }))), context(), h.deps);
    // The gate is re-read every 10 s of batch time: at most a few calls after the pause.
    expect(h.worker.calls.length).to.be.within(2, 4);
    expect(res.batchItemFailures).to.have.length(8 - h.worker.calls.length);
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    expect((await h.ledger().loadPipeline())?.state.pause?.reason).to.equal("operator");
  });

  it("rejects events it does not know", async () => {
    const h = harness(provider());
    let error: unknown;
    await createVentilator(h.deps)({ hello: 1 }, context()).catch((e) => (error = e));
    expect((error as Error).name).to.equal("UnknownEventError");
  });
});
