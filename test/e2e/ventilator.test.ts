/**
 * The ventilator end to end: kinesis-mock → the Lambda emulator's event source
 * mapping → the production ventilator handler and AWS SDK adapters → the chaos
 * worker, with the ledger on DynamoDB Local. Each scenario asserts on the
 * ledger and on the calls the simulated provider served.
 */
import { expect } from "chai";
import * as path from "node:path";
import { startServer } from "../aws/http-fixture";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { LEDGER_STATUS } from "../../runtime/ledger/types";
import { malformedKey } from "../../runtime/ventilator/batch";
import { providerDay } from "../../runtime/windows/clock";
import { batchLines, chaosProfile, e2eProvider, entries, ids, okCallsPerRecord, scheduleLines, settle, stallingProxy, startPipeline, useEngines } from "./support";
import { eventually } from "../support/eventually";

describe("ventilator end to end", function () {
  this.timeout(120_000);
  const engines = useEngines();

  it("a. healthy: every record is fetched exactly once and the fan-out limit reaches the max", async () => {
    // A healthy provider answers in 20 ms, but each call also crosses the emulator and a DynamoDB Local
    // write: on a loaded 2-core machine that reached 500 ms, which the default 400 ms threshold calls slow.
    const provider = e2eProvider({ initialFanOut: 1, latencyThresholdMs: 2_000, worker: { module: "chaos", timeoutSeconds: 5 } });
    const pipeline = await startPipeline(engines(), { provider });
    try {
      const records = ids("healthy", 60);
      expect(await pipeline.enqueue(records.map((id) => ({ id })))).to.deep.equal({ sent: 60, failed: 0 });
      const found = await settle(pipeline, records, 60_000);
      expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE && e.attempts === 1)).to.equal(true);
      const ok = okCallsPerRecord(pipeline);
      expect(ok.size).to.equal(60);
      expect([...ok.values()].every((n) => n === 1)).to.equal(true);
      expect(pipeline.calls).to.have.length(60);
      // The fan-out limit (calls in flight per batch) climbs from 1 to the max; the mapping's batch size
      // follows and may go past it: a batch then runs in waves of the limit.
      const settings = pipeline.mapping.poller.batches.map((b) => b.batchSizeSetting);
      expect(settings[0]).to.equal(1);
      expect(Math.max(...settings)).to.be.at.least(provider.maxFanOut);
      const limits = batchLines(pipeline).map((l) => l.Limit as number);
      expect(limits[0]).to.be.below(provider.maxFanOut);
      expect(Math.max(...limits)).to.equal(provider.maxFanOut);
      expect(Math.max(...batchLines(pipeline).map((l) => l.InFlight as number))).to.be.at.most(provider.maxFanOut);
    } finally {
      await pipeline.stop();
    }
  });

  it("b. slow provider: the fan-out limit falls below the max", async () => {
    const provider = e2eProvider();
    const pipeline = await startPipeline(engines(), { provider, chaos: chaosProfile({ slowPercentage: 50, slowMs: 500 }) });
    try {
      const records = ids("slow", 20);
      await pipeline.enqueue(records.map((id) => ({ id })));
      await settle(pipeline, records, 60_000);
      // The fan-out limit falls within the first batches already (it adapts wave by wave).
      const lowest = batchLines(pipeline).map((l) => l.limitLowest as number);
      expect(Math.min(...lowest)).to.be.below(provider.maxFanOut);
      expect([...okCallsPerRecord(pipeline).values()].every((n) => n === 1)).to.equal(true);
    } finally {
      await pipeline.stop();
    }
  });

  it("c. outage: the breaker opens once most calls fail, the schedule re-arms with one call at a time, and after healing the fan-out limit climbs back to the max", async () => {
    const provider = e2eProvider({ maxAttempts: 40 });
    const pipeline = await startPipeline(engines(), { provider, chaos: chaosProfile({ errorPercentage: 100 }) });
    try {
      const records = ids("outage", 40);
      await pipeline.enqueue(records.map((id) => ({ id })));
      await eventually("the breaker to open", () => batchLines(pipeline).some((l) => l.action === "open-breaker"), 30_000);
      await eventually("the mapping to be disabled", () => pipeline.mapping.mapping.state === "Disabled", 10_000);
      await eventually("a half-open probe", () => scheduleLines(pipeline).some((l) => l.outcome === "probe"), 30_000);
      const probe = scheduleLines(pipeline).find((l) => l.outcome === "probe")!;
      expect(probe.mappingChange).to.include({ enabled: true });

      pipeline.chaos.errorPercentage = 0;
      const found = await settle(pipeline, records, 60_000);
      expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE)).to.equal(true);
      // Half-open: one call at a time until the breaker closes.
      const lines = batchLines(pipeline);
      const probing = lines.slice(lines.findIndex((l) => l.action === "open-breaker") + 1, lines.findIndex((l) => l.action === "close"));
      expect(probing.every((l) => (l.InFlight as number) <= 1)).to.equal(true);
      const healedLines = batchLines(pipeline).slice(batchLines(pipeline).findIndex((l) => l.action === "close"));
      expect(Math.max(...healedLines.map((l) => l.Limit as number))).to.equal(provider.maxFanOut);
      expect(batchLines(pipeline).some((l) => l.action === "close")).to.equal(true);
      expect([...okCallsPerRecord(pipeline).values()].every((n) => n === 1)).to.equal(true);
    } finally {
      await pipeline.stop();
    }
  });

  it("d. a worker FunctionError is counted as an error", async () => {
    const provider = e2eProvider({ maxAttempts: 1, controller: { strategy: "step", rearmIntervalMinutes: 0.02 } });
    const pipeline = await startPipeline(engines(), { provider, chaos: chaosProfile({ errorPercentage: 100 }) });
    try {
      const records = ids("fnerr", 3);
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 30_000);
      for (const e of found.values()) {
        expect(e?.status).to.equal(LEDGER_STATUS.DEAD);
        expect(e?.lastError).to.match(/^error: chaos/);
      }
      const lines = batchLines(pipeline).filter((l) => (l.Error as number) > 0);
      expect(lines).to.not.be.empty;
      expect(lines.reduce((n, l) => n + (l.Ok as number), 0)).to.equal(0);
      expect(pipeline.calls.every((c) => c.outcome === "error")).to.equal(true);
    } finally {
      await pipeline.stop();
    }
  });

  it("e. partial failures: failed records are retried and successful ones are never fetched twice", async () => {
    const provider = e2eProvider({ maxAttempts: 20, errorRateThreshold: 0.9 });
    const failing = new Set(ids("partial", 30).filter((_, i) => i % 3 === 0));
    const firstTry = new Set<string>();
    const pipeline = await startPipeline(engines(), {
      provider,
      // Every third record fails its first call, then succeeds.
      intercept: async (request, next) => {
        if (failing.has(request.recordId) && !firstTry.has(request.recordId)) {
          firstTry.add(request.recordId);
          throw new Error(`first call of ${request.recordId} fails`);
        }
        return next(request);
      },
    });
    try {
      const records = ids("partial", 30);
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 60_000);
      expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE)).to.equal(true);
      const ok = okCallsPerRecord(pipeline);
      expect([...ok.values()].every((n) => n === 1)).to.equal(true);
      expect(ok.size).to.equal(30);
      for (const id of failing) expect(found.get(id)?.attempts).to.equal(2);
      for (const id of records.filter((r) => !failing.has(r))) expect(found.get(id)?.attempts).to.equal(1);
    } finally {
      await pipeline.stop();
    }
  });

  it("f. a record failing maxAttempts times ends dead with its reason, and the shard moves on", async () => {
    const provider = e2eProvider({ maxAttempts: 3, errorRateThreshold: 0.9 });
    const pipeline = await startPipeline(engines(), {
      provider,
      intercept: async (request, next) => {
        if (request.recordId === "poison") throw new Error("provider rejects poison");
        return next(request);
      },
    });
    try {
      const records = ["poison", ...ids("after-poison", 12)];
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 60_000);
      const poison = found.get("poison")!;
      expect(poison.status).to.equal(LEDGER_STATUS.DEAD);
      expect(poison.attempts).to.equal(3);
      expect(poison.lastError).to.equal("error: provider rejects poison");
      expect(pipeline.calls.filter((c) => c.recordId === "poison")).to.have.length(3);
      expect(records.slice(1).every((id) => found.get(id)?.status === LEDGER_STATUS.DONE)).to.equal(true);
    } finally {
      await pipeline.stop();
    }
  });

  it("g. the ventilator times out mid-batch and is stopped for good; the batch is redelivered and no record is fetched twice", async () => {
    // The ventilator (10 s) starts a call only if it can end in time (finding 1), so what runs it out of time is
    // a slow ledger: once the batch's calls are made, its write of the day's counters stalls 15 s in DynamoDB (a
    // proxy holds it). Its environment is terminated at the timeout, as Lambda resets it: nothing it started is
    // written afterwards, its batch log line included. The workers recorded their fetches themselves, so the
    // redelivered batch finds every record done instead of fetching any again.
    const provider = e2eProvider({ worker: { module: "chaos", timeoutSeconds: 3 } });
    const records = ids("timeout", 8);
    const proxy = await stallingProxy(engines().dynamoEndpoint, (body) => body.includes('"DAY#') && body.includes('"done"'), 15_000);
    const pipeline = await startPipeline(engines(), { provider, ventilatorTimeoutMs: 10_000, environment: { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint } });
    try {
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 60_000);
      expect(proxy.stalled()).to.equal(true);
      expect([...found.values()].map((e) => `${e?.recordId} ${e?.status} ${e?.lastError ?? ""}`).filter((t) => !/ done $/.test(t))).to.deep.equal([]);
      const ventilatorRuns = engines().emulator.functions.invocationsOf(pipeline.names.ventilator).filter((r) => r.source === "kinesis");
      expect(ventilatorRuns.some((r) => r.outcome === "timeout")).to.equal(true);
      // The timed-out execution wrote nothing more, its batch's log line included: one line per batch that finished.
      await eventually("the redelivered batch to finish", () => ventilatorRuns.length < engines().emulator.functions.invocationsOf(pipeline.names.ventilator).filter((r) => r.source === "kinesis").length || pipeline.mapping.poller.shards.every((s) => !s.inFlight), 20_000);
      const finished = engines().emulator.functions.invocationsOf(pipeline.names.ventilator).filter((r) => r.source === "kinesis" && r.outcome === "ok").length;
      expect(pipeline.logs.filter((l) => l.message === "batch" || l.message === "batch handed back")).to.have.length(finished);
      const ok = okCallsPerRecord(pipeline);
      expect(ok.size).to.equal(records.length);
      expect([...ok.values()].every((n) => n === 1)).to.equal(true);
      expect([...found.values()].every((e) => e?.attempts === 1)).to.equal(true);
    } finally {
      await pipeline.stop();
      await proxy.close();
    }
  });

  it("h. a malformed record is dead-lettered and does not block the shard", async () => {
    const provider = e2eProvider();
    const pipeline = await startPipeline(engines(), { provider });
    try {
      const before = ids("before-bad", 3);
      const after = ids("after-bad", 3);
      await pipeline.enqueue(before.map((id) => ({ id })));
      const put = await engines().kinesis.send(
        new PutRecordsCommand({
          StreamName: pipeline.names.stream,
          Records: [
            { Data: Buffer.from("this is not json"), PartitionKey: "bad-1" },
            { Data: Buffer.from(JSON.stringify({ noId: true })), PartitionKey: "bad-2" },
          ],
        }),
      );
      await pipeline.enqueue(after.map((id) => ({ id })));
      const found = await settle(pipeline, [...before, ...after], 60_000);
      expect([...found.values()].every((e) => e?.status === LEDGER_STATUS.DONE)).to.equal(true);
      const day = providerDay(provider.timezone, Date.now());
      for (const r of put.Records ?? []) {
        const dead = await pipeline.ledger().entry(malformedKey(r.SequenceNumber!), day);
        expect(dead?.status).to.equal(LEDGER_STATUS.DEAD);
        expect(dead?.lastError).to.match(/^malformed: /);
      }
      expect(pipeline.calls).to.have.length(6);
    } finally {
      await pipeline.stop();
    }
  });

  it("i. a closed window: no worker calls until it opens, then everything is fetched", async () => {
    // The pipeline's clock starts 12 s before 06:00 on a day in the future; the window opens at 06:00. The clock is
    // shifted by a constant (the functions' clocks follow it), so the margin must cover the pipeline's start on a
    // loaded machine: with 4 s the window was sometimes open before the first tick.
    const start = Date.now();
    const target = Date.UTC(2097, 0, 7, 5, 59, 48);
    const clock = { now: () => target + (Date.now() - start) };
    const provider = e2eProvider({ accessWindows: [{ start: "06:00", end: "20:00" }] });
    const pipeline = await startPipeline(engines(), { provider, clock });
    try {
      const records = ids("window", 10);
      await pipeline.enqueue(records.map((id) => ({ id })));
      await eventually("the pipeline to pause for the window", () => pipeline.logs.some((l) => l.reason === "outside-window" || l.outcome === "paused-for-window"), 10_000).catch((err: Error) => {
        throw new Error(`${err.message}; logs: ${JSON.stringify(pipeline.logs.slice(0, 5))}`);
      });
      const opensAt = Date.UTC(2097, 0, 7, 6, 0, 0);
      const found = await settle(pipeline, records, 60_000, clock.now);
      expect([...found.values()].map((e) => `${e?.recordId} ${e?.status} ${e?.lastError ?? ""}`).filter((t) => !/ done $/.test(t))).to.deep.equal([]);
      const firstCall = Math.min(...pipeline.calls.map((c) => c.startedAt));
      expect(firstCall).to.be.at.least(opensAt);
      expect(scheduleLines(pipeline).some((l) => l.outcome === "resumed")).to.equal(true);
      expect((await entries(pipeline, records, clock.now())).size).to.equal(10);
    } finally {
      await pipeline.stop();
    }
  });

  it("j. a worker stuck after its fetch is stopped at its timeout: the record ends dead, fetched once, never recorded late", async () => {
    // The worker runs in its own execution environment. For one record it fetches, then hangs past its Lambda
    // timeout. Lambda stops it there (its environment is reset: its guard never records the fetch). The ventilator
    // learns the worker died mid-call, or, when it gave up waiting first, finds the claim's lease ended with nothing
    // recorded: either way nobody knows whether the provider served it, so the record ends dead, fetched once.
    const served = new Map<string, number>();
    const stub = await startServer((req, res) => {
      const id = decodeURIComponent((req.url ?? "/").slice(1));
      served.set(id, (served.get(id) ?? 0) + 1);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id }));
    });
    // The shortest lease the catalog allows for a 2 s worker: 2 s + 5 s Lambda margin + 10 s cold start + 5 s slack.
    const provider = e2eProvider({ maxConcurrency: 2, maxFanOut: 2, worker: { module: "chaos", timeoutSeconds: 2 }, ledger: { leaseSeconds: 22, retryBackoffSeconds: 1 } });
    const records = ids("stuck", 4);
    const pipeline = await startPipeline(engines(), {
      provider,
      workerSandbox: { module: path.join(__dirname, "fixtures", "stuck-worker.ts"), env: { STUB_URL: stub.url, STUCK_IDS: records[1]! } },
    });
    try {
      await pipeline.enqueue(records.map((id) => ({ id })));
      const found = await settle(pipeline, records, 60_000);
      const stuck = found.get(records[1]!)!;
      expect(stuck).to.include({ status: LEDGER_STATUS.DEAD, attempts: 1 });
      expect(stuck.lastError).to.match(/died mid-call|outcome unknown/);
      expect(records.filter((id) => id !== records[1]).map((id) => `${id} ${found.get(id)?.status} ${found.get(id)?.lastError ?? ""}`)).to.deep.equal(records.filter((id) => id !== records[1]).map((id) => `${id} done `));
      expect(records.map((id) => served.get(id))).to.deep.equal([1, 1, 1, 1]);
      const workerRuns = engines().emulator.functions.invocationsOf(pipeline.names.worker);
      expect(workerRuns.filter((r) => r.outcome === "timeout")).to.have.length(1);
      // The stuck environment was reset, not reused: the worker's next call needed a fresh one.
      expect(engines().emulator.functions.coldStarts(pipeline.names.worker)).to.be.at.least(2);
    } finally {
      await pipeline.stop();
      await stub.close();
    }
  });
});
