import { expect } from "chai";
import type { KinesisBatchEvent } from "../../runtime/ventilator/records";
import { EventLoop } from "../../sim/event-loop";
import { RESOURCE_IN_USE, SimControlPlane, SimMappingControl } from "../../sim/mapping-control";
import { SimEventSourceMapping, type BatchHandler } from "../../sim/mapping-model";
import { Recorder } from "../../sim/recorder";
import { mulberry32 } from "../../sim/rng";
import { SimStream } from "../../sim/stream";
import { T0 } from "./fixtures";

const SECOND = 1_000;

function setup(opts: { records?: number; lanes?: number; batchSize?: number; delayMs?: number; maximumRetryAttempts?: number; handler: BatchHandler }) {
  const loop = new EventLoop(T0);
  const stream = new SimStream(opts.lanes ?? 1, "arn:aws:kinesis:sim:0:stream/t");
  for (let i = 0; i < (opts.records ?? 10); i++) stream.put(`r${i}`, T0);
  const plane = new SimControlPlane(loop, { batchSize: opts.batchSize ?? 4, enabled: true }, () => opts.delayMs ?? SECOND);
  const recorder = new Recorder(T0, () => loop.now);
  const esm = new SimEventSourceMapping(
    loop,
    stream,
    plane,
    { maximumRetryAttempts: opts.maximumRetryAttempts ?? -1, bisectBatchOnFunctionError: false, maximumRecordAgeInSeconds: -1 },
    { pollIntervalMs: SECOND, batchGapMs: 0, functionTimeoutMs: 60 * SECOND },
    opts.handler,
    recorder,
  );
  return { loop, stream, plane, recorder, esm };
}

const ids = (e: KinesisBatchEvent) => e.Records.map((r) => r.kinesis.partitionKey);
const seqOf = (e: KinesisBatchEvent, id: string) => e.Records.find((r) => r.kinesis.partitionKey === id)!.kinesis.sequenceNumber;

describe("sim/mapping-control", () => {
  it("accepts an update at once but applies it only after the delay; the poller reads the effective settings", async () => {
    const loop = new EventLoop(T0);
    const plane = new SimControlPlane(loop, { batchSize: 10, enabled: true }, () => 5 * SECOND);
    const out = plane.update({ BatchSize: 3 });
    expect(out).to.deep.include({ ok: true });
    expect(plane.view()).to.include({ batchSize: 3, state: "Updating" });
    expect(plane.effective).to.deep.equal({ batchSize: 10, enabled: true });
    await loop.run({ horizon: T0 + 5 * SECOND - 1 });
    expect(plane.effective.batchSize).to.equal(10);
    await loop.run({ horizon: T0 + 5 * SECOND });
    expect(plane.effective.batchSize).to.equal(3);
    expect(plane.view().state).to.equal("Enabled");
    expect(plane.history.map((h) => h.batchSize)).to.deep.equal([10, 3]);
  });

  it("refuses an update while another is in progress (ResourceInUse) and counts every request", () => {
    const loop = new EventLoop(T0);
    const plane = new SimControlPlane(loop, { batchSize: 10, enabled: true }, () => 5 * SECOND);
    plane.update({ Enabled: false });
    expect(plane.view().state).to.equal("Disabling");
    expect(plane.update({ BatchSize: 2 })).to.deep.equal({ ok: false, error: RESOURCE_IN_USE, status: 409 });
    expect(plane.requests).to.include({ accepted: 1, refused: 1 });
  });

  it("the port retries ResourceInUse with backoff until the previous update settled", async () => {
    const loop = new EventLoop(T0);
    const plane = new SimControlPlane(loop, { batchSize: 10, enabled: true }, () => 600);
    const port = new SimMappingControl(plane, loop, mulberry32(3), { minUpdateIntervalMs: 0 });
    await port.update({ enabled: false });
    let result: { applied: boolean } | undefined;
    void port.update({ enabled: true }).then((r) => (result = r));
    await loop.run({ horizon: T0 + 10 * SECOND });
    expect(result).to.include({ applied: true });
    expect(plane.requests.refused).to.be.at.least(1);
    expect(plane.effective.enabled).to.equal(true);
  });

});

describe("sim/mapping-model", () => {
  it("re-delivers from the lowest failed sequence number, successes after it included", async () => {
    const batches: string[][] = [];
    const { loop, esm } = setup({
      records: 8,
      handler: async (event) => {
        batches.push(ids(event));
        if (batches.length === 1) return { batchItemFailures: [{ itemIdentifier: seqOf(event, "r3") }, { itemIdentifier: seqOf(event, "r1") }] };
        return { batchItemFailures: [] };
      },
    });
    esm.start();
    await loop.run({ horizon: T0 + 60 * SECOND });
    expect(batches).to.deep.equal([
      ["r0", "r1", "r2", "r3"],
      ["r1", "r2", "r3", "r4"],
      ["r5", "r6", "r7"],
    ]);
  });

  it("keeps one batch in flight per lane", async () => {
    let inFlight = 0;
    let peak = 0;
    const { loop, esm } = setup({
      records: 20,
      lanes: 2,
      handler: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await loop.sleep(100);
        inFlight--;
        return {};
      },
    });
    esm.start();
    await loop.run({ horizon: T0 + 60 * SECOND });
    expect(peak).to.equal(2);
    expect(esm.unconsumed).to.equal(0);
  });

  it("applies a batch-size update from the first batch after it became effective", async () => {
    const sizes: { at: number; size: number }[] = [];
    const ctx: { plane?: SimControlPlane } = {};
    const { loop, plane, esm } = setup({
      records: 40,
      delayMs: 2 * SECOND,
      handler: async (event) => {
        sizes.push({ at: loop.now - T0, size: event.Records.length });
        if (sizes.length === 1) ctx.plane!.update({ BatchSize: 2 });
        await loop.sleep(500);
        return {};
      },
    });
    ctx.plane = plane;
    esm.start();
    await loop.run({ horizon: T0 + 60 * SECOND });
    expect(sizes.filter((s) => s.at < 2 * SECOND).every((s) => s.size === 4)).to.equal(true);
    expect(sizes.filter((s) => s.at >= 2 * SECOND).every((s) => s.size <= 2)).to.equal(true);
  });

  it("keeps its checkpoint while disabled and resumes from it", async () => {
    const delivered: string[] = [];
    const ctx: { plane?: SimControlPlane } = {};
    const { loop, plane, esm } = setup({
      records: 8,
      delayMs: 0,
      handler: async (event) => {
        delivered.push(...ids(event));
        if (delivered.length === 4) ctx.plane!.update({ Enabled: false });
        return {};
      },
    });
    ctx.plane = plane;
    esm.start();
    await loop.run({ horizon: T0 + 30 * SECOND });
    expect(delivered).to.deep.equal(["r0", "r1", "r2", "r3"]);
    plane.update({ Enabled: true });
    await loop.run({ horizon: T0 + 60 * SECOND });
    expect(delivered).to.deep.equal(["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"]);
  });

  it("drops a batch whose deliveries failed past MaximumRetryAttempts", async () => {
    let deliveries = 0;
    const { loop, esm, recorder } = setup({
      records: 4,
      maximumRetryAttempts: 2,
      handler: async () => {
        deliveries++;
        throw new Error("ventilator crashed");
      },
    });
    esm.start();
    await loop.run({ horizon: T0 + 60 * SECOND });
    expect(deliveries).to.equal(3);
    expect([...recorder.dropped]).to.deep.equal(["r0", "r1", "r2", "r3"]);
    expect(esm.stats).to.include({ failedInvocations: 3, discarded: 4 });
  });
});
