import { expect } from "chai";
import { badShare, nearestRank, summarize } from "../../runtime/controller/batch-stats";
import { calls, THRESHOLD_MS } from "./fixtures";

describe("controller/batch-stats", () => {
  it("counts each outcome, slow calls whatever their outcome, and a bad call once", () => {
    const stats = summarize(calls("oosetx"), THRESHOLD_MS);
    expect(stats).to.include({ total: 6, ok: 3, error: 1, throttled: 1, timeout: 1, slow: 2, bad: 4 });
  });

  it("treats a latency equal to the threshold as not slow", () => {
    const stats = summarize([{ latencyMs: THRESHOLD_MS, outcome: "ok" }], THRESHOLD_MS);
    expect(stats.slow).to.equal(0);
    expect(stats.bad).to.equal(0);
  });

  it("gives zeros for a batch without calls", () => {
    expect(summarize([], THRESHOLD_MS)).to.deep.equal({ total: 0, ok: 0, error: 0, throttled: 0, timeout: 0, slow: 0, bad: 0, p50: 0, p95: 0, max: 0 });
    expect(badShare(summarize([], THRESHOLD_MS))).to.equal(0);
  });

  const latencies = (ms: number[]) => ms.map((latencyMs) => ({ latencyMs, outcome: "ok" as const }));
  const percentileCases: { name: string; ms: number[]; p50: number; p95: number; max: number }[] = [
    { name: "one call", ms: [40], p50: 40, p95: 40, max: 40 },
    { name: "two calls: p50 is the lower (rank ⌈1⌉)", ms: [90, 10], p50: 10, p95: 90, max: 90 },
    { name: "ten calls", ms: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], p50: 50, p95: 100, max: 100 },
    { name: "twenty calls: p95 is rank 19", ms: Array.from({ length: 20 }, (_, i) => (20 - i) * 5), p50: 50, p95: 95, max: 100 },
  ];
  for (const c of percentileCases) {
    it(`takes nearest-rank percentiles of unsorted latencies (${c.name})`, () => {
      expect(summarize(latencies(c.ms), THRESHOLD_MS)).to.include({ p50: c.p50, p95: c.p95, max: c.max });
    });
  }

  it("nearest rank never reads outside the list", () => {
    expect(nearestRank([1, 2, 3], 0)).to.equal(1);
    expect(nearestRank([1, 2, 3], 100)).to.equal(3);
    expect(nearestRank([], 50)).to.equal(0);
  });

  it("bad share is bad calls over all calls", () => {
    expect(badShare(summarize(calls("ooos"), THRESHOLD_MS))).to.equal(0.25);
  });
});
