import { expect } from "chai";
import { followLimit, MAX_MAPPING_BATCH_SIZE, mappingTarget, meanLatency, MIN_WAVES, settleMapping, TARGET_BATCH_SECONDS, updateLatency, LATENCY_MEMORY_SAMPLES, wavesFor, wavesOf } from "../../runtime/controller/mapping-update";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";

const NOW = 1_700_000_000_000;
const base: ControllerState = {
  strategy: "adaptive",
  limit: 5,
  mappingBatchSize: 5,
  lastGoodLimit: 5,
  lastDecreaseAt: null,
  lastUpdateAt: null,
  breaker: { status: BREAKER.CLOSED },
};

describe("controller/mapping-update", () => {
  describe("waves: a batch sized in time", () => {
    const cases: { meanMs: number; waves: number; why: string }[] = [
      { meanMs: 1_000, waves: TARGET_BATCH_SECONDS, why: "one-second calls fill the target with as many waves" },
      { meanMs: 700, waves: Math.ceil((TARGET_BATCH_SECONDS * 1000) / 700), why: "rounded up" },
      { meanMs: 75_000, waves: Math.max(MIN_WAVES, Math.ceil((TARGET_BATCH_SECONDS * 1000) / 75_000)), why: "slow calls: few waves" },
      { meanMs: 10_000_000, waves: MIN_WAVES, why: "never fewer than two waves" },
      { meanMs: 0, waves: MAX_MAPPING_BATCH_SIZE, why: "no latency seen: as many as the mapping takes" },
    ];
    for (const c of cases) {
      it(`holds ${c.waves} waves at a mean latency of ${c.meanMs} ms: ${c.why}`, () => {
        expect(wavesFor(c.meanMs)).to.equal(c.waves);
      });
    }

    it("reads the mean latency of a batch's ok calls: fast refusals say nothing of how long work takes", () => {
      const calls = [
        { latencyMs: 100, outcome: "ok" as const },
        { latencyMs: 300, outcome: "ok" as const },
        { latencyMs: 5, outcome: "throttled" as const },
      ];
      expect(meanLatency(calls)).to.equal(200);
    });

    it("reads all calls when none was ok, and 0 for none", () => {
      expect(meanLatency([{ latencyMs: 30_000, outcome: "timeout" }, { latencyMs: 10_000, outcome: "error" }])).to.equal(20_000);
      expect(meanLatency([])).to.equal(0);
    });
  });

  const targets: { limit: number; applied: number; waves: number; target: number | null; why: string }[] = [
    { limit: 5, applied: 50, waves: 10, target: null, why: "the mapping is the target" },
    { limit: 5, applied: 25, waves: 10, target: null, why: "half the target still fits" },
    { limit: 5, applied: 100, waves: 10, target: null, why: "twice the target still fits" },
    { limit: 5, applied: 24, waves: 10, target: 50, why: "below half the target: grow" },
    { limit: 5, applied: 101, waves: 10, target: 50, why: "above twice the target: shrink" },
    { limit: 20, applied: 20, waves: 400, target: 8_000, why: "a fresh mapping of one wave grows to the waves the latency asks" },
    { limit: 20, applied: 20, waves: 1_000, target: MAX_MAPPING_BATCH_SIZE, why: "never past what a Kinesis mapping accepts" },
    { limit: 1, applied: 8_000, waves: 400, target: 400, why: "limit 1 under a large mapping" },
  ];
  const noEstimate: { limit: number; applied: number; target: number | null; why: string }[] = [
    { limit: 10, applied: 5_000, target: null, why: "a large mapping stays" },
    { limit: 10, applied: 10, target: null, why: "one wave fits" },
    { limit: 10, applied: 4, target: MIN_WAVES * 10, why: "less than a wave: room for two" },
  ];
  for (const t of targets) {
    it(`moves a mapping of ${t.applied} under limit ${t.limit} and ${t.waves} waves to ${t.target ?? "nothing"}: ${t.why}`, () => {
      expect(mappingTarget(t.limit, t.applied, t.waves)).to.equal(t.target);
    });
  }

  for (const t of noEstimate) {
    it(`without a latency estimate, moves a mapping of ${t.applied} under limit ${t.limit} to ${t.target ?? "nothing"}: ${t.why}`, () => {
      expect(mappingTarget(t.limit, t.applied, null)).to.equal(t.target);
    });
  }

  it("keeps a moving average of the latency: the first report sets it, later ones weigh by their calls", () => {
    const calls = (n: number, ms: number) => Array.from({ length: n }, () => ({ latencyMs: ms, outcome: "ok" as const }));
    expect(updateLatency(undefined, calls(20, 1_000))).to.equal(1_000);
    expect(updateLatency(1_000, calls(20, 2_000))).to.equal(1_000 + (20 / LATENCY_MEMORY_SAMPLES) * 1_000);
    expect(updateLatency(1_000, calls(LATENCY_MEMORY_SAMPLES * 2, 2_000))).to.equal(2_000);
    expect(updateLatency(1_000, [])).to.equal(1_000);
    expect(wavesOf(undefined)).to.equal(null);
    expect(wavesOf(1_000)).to.equal(wavesFor(1_000));
  });

  it("resizes and records when, once the interval since the last update has passed", () => {
    const s = { ...base, limit: 8, mappingBatchSize: 3, lastUpdateAt: NOW - 60_000 };
    expect(settleMapping(s, NOW, 60_000, 10)).to.deep.equal({
      state: { ...s, mappingBatchSize: 80, lastUpdateAt: NOW },
      action: { type: "resize", batchSize: 80 },
    });
  });

  it("keeps the mapping within the interval", () => {
    const s = { ...base, limit: 8, mappingBatchSize: 3, lastUpdateAt: NOW - 59_999 };
    expect(settleMapping(s, NOW, 60_000, 10)).to.deep.equal({ state: s, action: { type: "keep" } });
  });

  it("keeps the mapping when the clock went backwards past the last update", () => {
    const s = { ...base, limit: 8, mappingBatchSize: 3, lastUpdateAt: NOW + 5_000 };
    expect(settleMapping(s, NOW, 60_000, 10).action.type).to.equal("keep");
  });

  it("the demo's rule follows every change of the limit exactly", () => {
    expect(followLimit({ ...base, limit: 4 }, NOW)).to.deep.equal({
      state: { ...base, limit: 4, mappingBatchSize: 4, lastUpdateAt: NOW },
      action: { type: "resize", batchSize: 4 },
    });
    expect(followLimit(base, NOW).action.type).to.equal("keep");
  });
});
