import { expect } from "chai";
import {
  addCalls,
  DIP_BUDGET,
  DIP_CALLS,
  DIP_EVERY_MS,
  DIP_MAX_CALLS,
  dipLevel,
  dipVerdict,
  elasticity,
  emptyLevel,
  loaded,
  LEVEL_MEMORY,
  nextDipAfter,
  warmUp,
  type LevelStats,
} from "../../runtime/controller/load-latency";
import type { CallSample } from "../../runtime/controller/types";

/** `n` ok calls whose ln(latency) alternates mean ± spread (exact mean and variance spread²). */
function level(limit: number, n: number, medianMs: number, spread = 1): LevelStats {
  const samples: CallSample[] = Array.from({ length: n }, (_, i) => ({ latencyMs: medianMs * Math.exp(i % 2 === 0 ? spread : -spread), outcome: "ok" }));
  return addCalls(emptyLevel(limit), samples);
}

describe("controller/load-latency", () => {
  describe("level statistics", () => {
    it("skips the completions of calls started before the fan-out moved, and ignores failed calls", () => {
      const l = addCalls(emptyLevel(10, 3), [
        { latencyMs: 99_999, outcome: "ok" },
        { latencyMs: 99_999, outcome: "ok" },
        { latencyMs: 99_999, outcome: "timeout" },
        { latencyMs: 5, outcome: "error" },
        { latencyMs: Math.E ** 5, outcome: "ok" },
      ]);
      expect(l).to.include({ skip: 0, n: 1 });
      expect(l.mean).to.be.closeTo(5, 1e-9);
    });

    it("keeps the mean and variance of ln(latency), forgetting beyond LEVEL_MEMORY calls", () => {
      const l = level(4, 100, 1_000, 0.5);
      expect(l.mean).to.be.closeTo(Math.log(1_000), 0.02);
      expect(l.variance).to.be.closeTo(0.25, 0.02);
      const moved = addCalls(l, Array.from({ length: LEVEL_MEMORY * 5 }, () => ({ latencyMs: 10, outcome: "ok" as const })));
      expect(moved.mean).to.be.closeTo(Math.log(10), 0.05);
    });
  });

  describe("elasticity of latency to the fan-out", () => {
    it("is the rise of ln(latency) over the rise of ln(fan-out)", () => {
      const e = elasticity(level(20, 200, 4_000), level(10, 200, 1_000))!;
      expect(e.e).to.be.closeTo(2, 1e-9);
      expect(e.lower).to.be.lessThan(e.e);
    });

    it("cannot compare a level with itself or a higher one, nor levels without calls", () => {
      expect(elasticity(level(10, 100, 1_000), level(10, 100, 1_000))).to.equal(null);
      expect(elasticity(level(5, 100, 1_000), level(10, 100, 1_000))).to.equal(null);
      expect(elasticity(level(10, 1, 1_000), level(5, 100, 1_000))).to.equal(null);
    });

    const cases: { name: string; high: number; low: number; n: number; spread: number; loaded: boolean }[] = [
      { name: "latency ×4 for ×2 calls, sharp", high: 4_000, low: 1_000, n: 60, spread: 0.5, loaded: true },
      { name: "latency unchanged", high: 1_000, low: 1_000, n: 200, spread: 0.5, loaded: false },
      { name: "latency ×1.2 for ×2 calls: grows slower than √n", high: 1_200, low: 1_000, n: 200, spread: 0.2, loaded: false },
      { name: "latency ×4 but too noisy to be sure", high: 4_000, low: 1_000, n: 4, spread: 3, loaded: false },
    ];
    for (const c of cases) {
      it(`${c.loaded ? "is" : "is not"} loaded: ${c.name}`, () => {
        expect(loaded(level(20, c.n, c.high, c.spread), level(10, c.n, c.low, c.spread))).to.equal(c.loaded);
      });
    }
  });

  describe("a dip's verdict", () => {
    const from = level(20, 200, 1_000, 1.2);
    it("waits for DIP_CALLS calls at the lower level", () => {
      expect(dipVerdict(level(20, 200, 4_000, 1.2), level(10, DIP_CALLS - 1, 1_000, 1.2))).to.equal(null);
    });
    it("decides early when the interval is clear of E_MIN on either side", () => {
      expect(dipVerdict(level(20, 200, 8_000, 1.2), level(10, DIP_CALLS, 1_000, 1.2))).to.deep.include({ loaded: true });
      expect(dipVerdict(level(20, 200, 1_000, 0.1), level(10, DIP_CALLS, 1_000, 0.1))).to.deep.include({ loaded: false });
    });
    it("goes on while undecided, and decides on the estimate at DIP_MAX_CALLS", () => {
      const close = level(10, DIP_CALLS, 1_000 / Math.SQRT2 ** 1.1, 1.2);
      expect(dipVerdict(from, close)).to.equal(null);
      expect(dipVerdict(from, level(10, DIP_MAX_CALLS, 1_000 / Math.SQRT2 ** 1.1, 1.2))).to.deep.include({ loaded: true });
    });
  });

  describe("when dips happen", () => {
    it("dips to half the limit, at least 1", () => {
      expect([1, 2, 3, 20, 21].map(dipLevel)).to.deep.equal([1, 1, 1, 10, 10]);
    });

    it("spaces periodic dips so they cost at most DIP_BUDGET of the calls, at least DIP_EVERY_MS apart", () => {
      expect(nextDipAfter(0, 20, 600)).to.equal(DIP_EVERY_MS);
      const slow = nextDipAfter(0, 4, 6_000);
      const dipMs = ((4 + DIP_CALLS) * 6_000) / 2;
      expect(slow).to.be.closeTo((dipMs * 0.5) / DIP_BUDGET, 1);
    });

    it("starts a fresh pipeline at half its fan-out, with the full level still to measure", () => {
      expect(warmUp(20)).to.deep.include({ current: emptyLevel(10), dipFrom: emptyLevel(20) });
      expect(warmUp(1)).not.to.have.property("dipFrom");
    });
  });
});
