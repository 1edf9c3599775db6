import { expect } from "chai";
import { AIMD_BACKOFF_RATIO, aimdAlgorithm } from "../../runtime/controller/peers/aimd";
import { gradient2Algorithm, LONG_WARMUP, QUEUE_SIZE, SMOOTHING } from "../../runtime/controller/peers/gradient2";
import type { Gradient2State, PeerState, VegasState } from "../../runtime/controller/peers/state";
import { log10Root, nextJitter, PROBE_MULTIPLIER, vegasAlgorithm } from "../../runtime/controller/peers/vegas";
import { emptyWindow, WINDOW_SIZE } from "../../runtime/controller/peers/window";
import { strategyFor } from "../../runtime/controller/registry";
import type { LimitAlgorithm } from "../../runtime/controller/limit-strategy";
import type { BatchReport, CallSample, ControllerState } from "../../runtime/controller/types";
import { validateProvider } from "../../runtime/catalog/validate";

const NOW = 1_700_000_000_000;
const settingsFor = (strategy: string) =>
  validateProvider({ id: "acme", maxConcurrency: 50, maxFanOut: 50, latencyThresholdMs: 5_000, worker: { module: "chaos" }, controller: { strategy } });

const calls = (n: number, latencyMs: number, outcome: CallSample["outcome"] = "ok"): CallSample[] => Array.from({ length: n }, () => ({ latencyMs, outcome }));

/** One step of an algorithm from a state whose limit is `limit` and peer state `peer`. */
function step(algorithm: LimitAlgorithm, limit: number, samples: CallSample[], peer?: PeerState, peak = limit) {
  const settings = settingsFor(algorithm.name);
  const state: ControllerState = { ...strategyFor(algorithm.name).initial(settings, NOW), limit, ...(peer ? { peer } : {}) };
  const report: BatchReport = { samples, limit, peakInFlight: peak };
  return algorithm.next({ state, report, verdict: null, settings, config: settings.controller as never, now: NOW });
}

describe("controller/peers (Netflix concurrency-limits on sluice's mechanics)", () => {
  describe("the sample window", () => {
    it(`pools calls until ${WINDOW_SIZE}, then the algorithm sees one sample`, () => {
      const partial = step(aimdAlgorithm, 20, calls(WINDOW_SIZE - 1, 100));
      expect(partial.limit).to.equal(20);
      expect(partial.peer).to.deep.include({ kind: "aimd" });
      expect((partial.peer as { window: { n: number } }).window.n).to.equal(WINDOW_SIZE - 1);
      expect(step(aimdAlgorithm, 20, calls(1, 100), partial.peer).limit).to.equal(21);
    });
  });

  describe("AIMD", () => {
    const cases: { name: string; limit: number; samples: CallSample[]; peak?: number; to: number }[] = [
      { name: "no drop, limit used: +1", limit: 20, samples: calls(10, 100), to: 21 },
      { name: "not using the limit (inflight × 2 < L): unchanged", limit: 20, samples: calls(10, 100), peak: 9, to: 20 },
      { name: "a drop: ⌊L × 0.9⌋", limit: 20, samples: [...calls(9, 100), ...calls(1, 40, "throttled")], to: Math.floor(20 * AIMD_BACKOFF_RATIO) },
      { name: "a timeout is a drop", limit: 20, samples: [...calls(9, 100), ...calls(1, 90_000, "timeout")], to: 18 },
      { name: "the window's mean latency above the threshold is a drop", limit: 20, samples: calls(10, 6_000), to: 18 },
      { name: "small limits still go down by one", limit: 5, samples: calls(10, 100, "error"), to: 4 },
    ];
    for (const c of cases) it(`${c.name}: ${c.limit} → ${c.to}`, () => expect(step(aimdAlgorithm, c.limit, c.samples, undefined, c.peak ?? c.limit).limit).to.equal(c.to));
  });

  describe("Vegas", () => {
    const vegas = (extra: Partial<VegasState>): VegasState => ({ kind: "vegas", estimate: 20, rttNoLoad: 100, probeCount: 0, probeJitter: 0.75, window: emptyWindow(), ...extra });
    it("takes the first window's latency as the no-load latency, the limit unchanged", () => {
      const d = step(vegasAlgorithm, 20, calls(10, 200));
      expect(d.limit).to.equal(20);
      expect(d.peer).to.deep.include({ rttNoLoad: 200 });
    });
    const cases: { name: string; rtt: number; drop?: boolean; to: number }[] = [
      { name: "no queue (queue ≤ log): + 6 log", rtt: 100, to: 20 + 6 * log10Root(20) },
      { name: "a small queue (< 3 log): + log", rtt: 110, to: 21 },
      { name: "a long queue (> 6 log): − log", rtt: 200, to: 19 },
      { name: "a drop: − log", rtt: 100, drop: true, to: 19 },
    ];
    for (const c of cases) {
      it(`${c.name}`, () => {
        const samples = c.drop ? [...calls(9, c.rtt), ...calls(1, c.rtt, "throttled")] : calls(10, c.rtt);
        expect(step(vegasAlgorithm, 20, samples, vegas({})).limit).to.equal(c.to);
      });
    }
    it(`re-measures the no-load latency every jitter × ${PROBE_MULTIPLIER} × E windows`, () => {
      const due = vegas({ probeCount: Math.ceil(0.75 * PROBE_MULTIPLIER * 20) - 1 });
      const d = step(vegasAlgorithm, 20, calls(10, 300), due);
      expect(d.peer).to.deep.include({ rttNoLoad: 300, probeCount: 0, probeJitter: nextJitter(0.75) });
      expect(nextJitter(0.75)).to.be.within(0.5, 1);
    });
    it("log10Root is Netflix's Log10RootFunction", () => {
      expect([1, 9, 10, 99, 100, 999, 10_000].map(log10Root)).to.deep.equal([1, 1, 1, 1, 2, 2, 100]);
    });
  });

  describe("Gradient2", () => {
    const g2 = (extra: Partial<Gradient2State>): Gradient2State => ({ kind: "gradient2", estimate: 20, longRtt: 100, longCount: LONG_WARMUP, window: emptyWindow(), ...extra });
    it("grows by the queue size, smoothed, while latency is at or below 1.5 × the long-term latency", () => {
      const d = step(gradient2Algorithm, 20, calls(10, 140), g2({}));
      expect((d.peer as Gradient2State).estimate).to.be.closeTo(20 * (1 - SMOOTHING) + (20 + QUEUE_SIZE) * SMOOTHING, 1e-9);
    });
    it("shrinks at most by half the estimate, smoothed, when latency jumps", () => {
      const d = step(gradient2Algorithm, 40, calls(10, 10_000), g2({ estimate: 40 }));
      expect((d.peer as Gradient2State).estimate).to.be.closeTo(40 * (1 - SMOOTHING) + (40 * 0.5 + QUEUE_SIZE) * SMOOTHING, 0.01);
    });
    it("averages the first windows into the long-term latency, then an EMA over 600", () => {
      const first = step(gradient2Algorithm, 20, calls(10, 300));
      expect(first.peer).to.deep.include({ longRtt: 300, longCount: 1 });
      const later = step(gradient2Algorithm, 20, calls(10, 700), g2({ longRtt: 500 }));
      expect((later.peer as Gradient2State).longRtt).to.be.closeTo(500 + (2 / 601) * 200, 1e-9);
    });
    it("ignores drops: only latency moves it", () => {
      const d = step(gradient2Algorithm, 20, calls(10, 100, "throttled"), g2({}));
      expect((d.peer as Gradient2State).estimate).to.be.greaterThan(20);
    });
  });
});
