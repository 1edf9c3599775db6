import { expect } from "chai";
import { adaptiveStrategy, regrow } from "../../runtime/controller/adaptive";
import { freshEvidence } from "../../runtime/controller/evidence";
import { DIP_CALLS, dipLevel, emptyLevel, type LoadLatency } from "../../runtime/controller/load-latency";
import { LATENCY_MEMORY_SAMPLES, MAX_MAPPING_BATCH_SIZE, wavesFor } from "../../runtime/controller/mapping-update";
import type { BatchReport, CallSample, ControllerState } from "../../runtime/controller/types";
import { adaptiveSettings, batch, calls, stepSettings, THRESHOLD_MS } from "./fixtures";

const NOW = 1_700_000_000_000;
const INTERVAL = 60_000;
const settings = adaptiveSettings({
  decreaseFactor: 0.7,
  minUpdateIntervalSeconds: 60,
  breaker: { baseIntervalMinutes: 10, maxIntervalMinutes: 40, probesToClose: 3 },
});

/** Past the warm-up, with no dip due: a closed state whose mapping matches the limit and was last updated long ago. */
function closed(limit: number, extra: Partial<ControllerState> = {}): ControllerState {
  const loadLatency: LoadLatency = { current: emptyLevel(limit), nextDipAt: Number.MAX_SAFE_INTEGER };
  return { ...adaptiveStrategy.initial(settings, 0), limit, mappingBatchSize: limit, lastUpdateAt: NOW - 10 * INTERVAL, loadLatency, ...extra };
}

const after = (s: ControllerState, pattern: string, limit: number, at: number, peak?: number) => adaptiveStrategy.afterBatch(s, batch(pattern, limit, peak), settings, at);

/** `n` ok calls of `ms` each. */
const ok = (n: number, ms = THRESHOLD_MS / 2): CallSample[] => Array.from({ length: n }, () => ({ latencyMs: ms, outcome: "ok" as const }));
const report = (samples: CallSample[], limit: number, peak = limit): BatchReport => ({ samples, limit, peakInFlight: peak });

/** Feeds `samples` wave by wave (a wave = as many calls as the limit), as the ventilator does. */
function feed(state: ControllerState, samples: readonly CallSample[], at: number): ControllerState {
  let s = state;
  for (let i = 0; i < samples.length; ) {
    const wave = samples.slice(i, i + s.limit);
    s = adaptiveStrategy.afterBatch(s, report(wave, s.limit), settings, at + i).state;
    i += wave.length;
  }
  return s;
}

/** Ok calls with a heavy-tailed latency, deterministic per seed. */
function heavyTail(seed: number, n: number, medianMs: number, sigma: number, errorShare = 0): CallSample[] {
  let x = seed >>> 0 || 1;
  const u = () => ((x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) + 1) / 4_294_967_297;
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    const latencyMs = Math.min(70_000, medianMs * Math.exp(sigma * z));
    return { latencyMs, outcome: u() < errorShare ? ("error" as const) : ("ok" as const) };
  });
}

describe("controller/adaptive", () => {
  describe("decreases only on evidence of load", () => {
    const cases: { name: string; calls: string; limit: number; to: number }[] = [
      { name: "throttles", calls: "oooootttt", limit: 10, to: 7 },
      { name: "most calls slow", calls: "s".repeat(20), limit: 10, to: 7 },
      { name: "errors well above the provider's own rate (not yet an outage)", calls: "eoeoeoeoeoeoeo", limit: 4, to: 2 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.limit} → ${c.to}, remembering ${c.limit}`, () => {
        const d = after(closed(c.limit), c.calls, c.limit, NOW);
        expect(d.state).to.include({ limit: c.to, lastGoodLimit: c.limit, lastDecreaseAt: NOW });
      });
    }

    it("never on one slow or failed call, at any limit", () => {
      for (const limit of [1, 2, 4, 8]) {
        for (const c of ["s", "e", "x"]) {
          const d = after(closed(limit), c, limit, NOW);
          expect(d.state.limit, `${c} at ${limit}`).to.be.at.least(limit);
          expect(d.state.breaker.status, `${c} at ${limit}`).to.equal("closed");
        }
      }
    });

    it("holds a heavy-tailed healthy provider at its cap: median 2 s, σ 1.5, 1 % errors, cap 8 (threshold 20 s, 30 %)", () => {
      const s8 = adaptiveSettings({}, { maxConcurrency: 8, maxFanOut: 8, latencyThresholdMs: 20_000, errorRateThreshold: 0.3 });
      for (let seed = 1; seed <= 5; seed++) {
        let s: ControllerState = { ...closed(8), strategy: "adaptive" };
        let lowest = 8;
        for (const [i, sample] of heavyTail(seed, 3_000, 2_000, 1.5, 0.01).entries()) {
          s = adaptiveStrategy.afterBatch(s, report([sample], s.limit), s8, NOW + i * 1_000).state;
          lowest = Math.min(lowest, s.limit);
        }
        expect(lowest, `seed ${seed}`).to.be.at.least(7);
        expect(s.breaker.status, `seed ${seed}`).to.equal("closed");
      }
    });

    it("one overload costs one decrease: the throttled calls still in flight under the old limit do not decrease again", () => {
      const first = after(closed(10), "tttttttttt", 10, NOW).state;
      expect(first.limit).to.equal(7);
      const stragglers = after(first, "ttttttt", 7, NOW + 1).state;
      expect(stragglers.limit).to.equal(7);
      const still = after(stragglers, "ttttttt", 7, NOW + 2).state;
      expect(still.limit).to.equal(4);
    });

    it("does not compound: a wave that ran under a limit already decreased changes nothing", () => {
      const first = after(closed(10), "tttttttttt", 10, NOW).state;
      const d = after(first, "tttttttttt", 10, NOW + 1);
      expect(d.state).to.deep.equal(first);
      expect(d.action.type).to.equal("keep");
    });

    it("reads errorRateThreshold from the provider", () => {
      const strict = adaptiveSettings({}, { errorRateThreshold: 0.1 });
      const pattern = "so".repeat(20);
      expect(adaptiveStrategy.afterBatch(closed(10), batch(pattern, 10), strict, NOW).state.limit).to.equal(7);
      expect(adaptiveStrategy.afterBatch(closed(10), batch(pattern, 10), settings, NOW).state.limit).to.equal(10);
    });
  });

  describe("regrowth", () => {
    const W10 = { lastGoodLimit: 10, lastDecreaseAt: NOW - 10 * INTERVAL };
    const W5 = (ago: number) => ({ lastGoodLimit: 5, lastDecreaseAt: NOW - ago });
    const cases: { name: string; limit: number; state: Partial<ControllerState>; peak?: number; to: number }[] = [
      { name: "far below the last good level closes half the gap to W − 1", limit: 3, state: W10, to: 6 },
      { name: "closer in, still half the gap (rounded up)", limit: 7, state: W10, to: 8 },
      { name: "at W − 1, after the plateau, probes W", limit: 4, state: W5(2 * INTERVAL), to: 5 },
      { name: "past W − 1 the probe distance doubles (W → W + 1)", limit: 5, state: W5(2 * INTERVAL), to: 6 },
      { name: "past W − 1 the probe distance doubles (W + 1 → W + 3)", limit: 6, state: W5(2 * INTERVAL), to: 8 },
      { name: "past W − 1 the probe distance doubles (W + 3 → W + 7, capped)", limit: 8, state: W5(2 * INTERVAL), to: 10 },
      { name: "never past the cap", limit: 9, state: { lastGoodLimit: 4, lastDecreaseAt: null }, to: 10 },
      { name: "holds at W − 1 during the plateau after a decrease", limit: 4, state: W5(INTERVAL - 1), to: 4 },
      { name: "probes once the plateau (one update interval) is over", limit: 4, state: W5(INTERVAL), to: 5 },
      { name: "does not grow when the wave did not use the limit (peak × 2 < limit)", limit: 6, state: W10, peak: 2, to: 6 },
      { name: "grows below W when half the limit was used", limit: 6, state: W10, peak: 3, to: 8 },
      { name: "past W, only a fully used limit counts as a probe", limit: 6, state: { lastGoodLimit: 5, lastDecreaseAt: null }, peak: 5, to: 6 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.limit} → ${c.to}`, () => {
        const d = after(closed(c.limit, c.state), "o".repeat(c.peak ?? c.limit), c.limit, NOW, c.peak);
        expect(d.state.limit).to.equal(c.to);
      });
    }

    it("returns from a decrease to the old level in a few good waves", () => {
      let s = after(closed(10), "tttttttttt", 10, NOW).state;
      const seen = [s.limit];
      for (let i = 1; i <= 6; i++) {
        s = after(s, "o".repeat(s.limit), s.limit, NOW + i * INTERVAL).state;
        seen.push(s.limit);
      }
      expect(seen).to.deep.equal([7, 8, 9, 10, 10, 10, 10]);
    });

    it("grows once for parallel batches that ran under the same limit", () => {
      const s = closed(4, { lastGoodLimit: 10, lastDecreaseAt: NOW - 10 * INTERVAL });
      const a = after(s, "oooo", 4, NOW).state;
      const b = after(a, "oooo", 4, NOW + 1).state;
      expect([a.limit, b.limit]).to.deep.equal([7, 7]);
    });

    it("regrow is a pure function of what the wave ran", () => {
      const s = closed(4, { lastGoodLimit: 10 });
      expect(regrow(4, 4, s, INTERVAL, NOW)).to.equal(7);
      expect(regrow(4, 1, s, INTERVAL, NOW)).to.equal(4);
    });
  });

  describe("latency that rises with load (dips)", () => {
    it("starts a fresh pipeline at half its fan-out, then the full fan-out after DIP_CALLS calls", () => {
      const fresh = adaptiveStrategy.initial(settings, NOW);
      expect(fresh.limit).to.equal(dipLevel(10));
      const warm = feed(fresh, ok(DIP_CALLS), NOW);
      expect(warm.limit).to.equal(10);
      expect(warm.loadLatency?.reference).to.include({ limit: 5, n: DIP_CALLS });
    });

    it("comes back down when the full fan-out is much slower than half of it, and caps growth there", () => {
      const warm = feed(adaptiveStrategy.initial(settings, NOW), ok(DIP_CALLS, 200), NOW);
      const dipping = feed(warm, ok(5 + DIP_CALLS, 200 * 4), NOW + 1_000);
      expect(dipping.limit, "the slower full level starts a dip at once").to.equal(5);
      const loadedAt10 = feed(dipping, ok(10 + DIP_CALLS, 200), NOW + 2_000);
      expect(loadedAt10.limit).to.equal(5);
      expect(loadedAt10.loadLatency).to.include({ ceiling: 5 });
      const later = feed(loadedAt10, ok(400, 200), NOW + 10 * INTERVAL);
      expect(later.limit).to.be.at.most(6);
    });

    it("stays at the full fan-out when latency does not depend on it", () => {
      const warm = feed(adaptiveStrategy.initial(settings, NOW), ok(DIP_CALLS, 200), NOW);
      const s = feed(warm, ok(20 * DIP_CALLS, 200), NOW + 1_000);
      expect(s.limit).to.equal(10);
      expect(s.loadLatency?.ceiling).to.equal(undefined);
    });

    it("dips when due, and goes back when the dip shows no difference", () => {
      const s = closed(10, { loadLatency: { current: emptyLevel(10), nextDipAt: NOW } });
      const measured = feed(s, ok(DIP_CALLS), NOW);
      expect(measured.limit).to.equal(5);
      expect(measured.loadLatency?.dipFrom).to.include({ limit: 10 });
      const back = feed(measured, ok(10 + DIP_CALLS + 5), NOW + 1_000);
      expect(back.limit).to.equal(10);
      expect(back.loadLatency?.nextDipAt).to.be.greaterThan(NOW + 30 * INTERVAL);
    });
  });

  describe("mapping sized in time", () => {
    it("grows a one-wave mapping to as many waves as fill TARGET_BATCH_SECONDS at the latency seen", () => {
      const d = adaptiveStrategy.afterBatch(closed(10), report(ok(10, THRESHOLD_MS), 10), settings, NOW);
      const target = Math.min(MAX_MAPPING_BATCH_SIZE, wavesFor(THRESHOLD_MS) * 10);
      expect(d.action).to.deep.equal({ type: "resize", batchSize: target });
      expect(d.state).to.include({ limit: 10, mappingBatchSize: target, lastUpdateAt: NOW });
    });

    it("leaves the mapping alone while it holds between half and twice the target", () => {
      const s = closed(10, { mappingBatchSize: wavesFor(THRESHOLD_MS) * 7 });
      const d = adaptiveStrategy.afterBatch(s, report([...ok(6, THRESHOLD_MS), ...calls("tttt")], 10), settings, NOW);
      expect(d.state).to.include({ limit: 7, mappingBatchSize: wavesFor(THRESHOLD_MS) * 7 });
      expect(d.action.type).to.equal("keep");
    });

    it("sizes the mapping on the moving average of the latency, not on one wave's mean", () => {
      const s = closed(10, { latencyMs: THRESHOLD_MS, mappingBatchSize: wavesFor(THRESHOLD_MS) * 10 });
      const d = adaptiveStrategy.afterBatch(s, report(ok(10, 100), 10), settings, NOW);
      expect(d.state.latencyMs).to.equal(THRESHOLD_MS + (10 / LATENCY_MEMORY_SAMPLES) * (100 - THRESHOLD_MS));
      expect(d.action.type).to.equal("keep");
    });

    it("does not move the mapping for a dip: it is sized for the level the dip returns to", () => {
      const s = closed(10, { latencyMs: THRESHOLD_MS, mappingBatchSize: wavesFor(THRESHOLD_MS) * 10, loadLatency: { current: emptyLevel(10), nextDipAt: NOW } });
      const dipping = feed(s, ok(DIP_CALLS, THRESHOLD_MS), NOW);
      expect(dipping.limit).to.equal(5);
      expect(dipping.mappingBatchSize).to.equal(wavesFor(THRESHOLD_MS) * 10);
    });

    it("waits minUpdateIntervalSeconds after the last update, then applies the current limit", () => {
      const s = closed(4, { lastGoodLimit: 10, lastUpdateAt: NOW - INTERVAL + 1000 });
      const early = adaptiveStrategy.afterBatch(s, report(ok(4, THRESHOLD_MS), 4), settings, NOW);
      expect(early.action.type).to.equal("keep");
      expect(early.state).to.include({ limit: 7, mappingBatchSize: 4 });
      const due = adaptiveStrategy.afterBatch(early.state, report(ok(4, THRESHOLD_MS), 4), settings, NOW + 1000);
      expect(due.action).to.deep.equal({ type: "resize", batchSize: wavesFor(THRESHOLD_MS) * 7 });
    });

    it("enforces the lower limit at once even though the mapping waits", () => {
      const s = closed(10, { lastUpdateAt: NOW - 1 });
      const d = after(s, "tttttttttt", 10, NOW);
      expect(d.state.limit).to.equal(7);
      expect(d.action.type).to.equal("keep");
    });
  });

  it("makes no decision for a wave without calls", () => {
    const s = closed(5);
    expect(after(s, "", 5, NOW)).to.deep.equal({ state: s, action: { type: "keep" } });
  });

  it("keeps its evidence in the state, from the first report on", () => {
    const s = closed(5);
    expect(s.evidence).to.equal(undefined);
    expect(after(s, "ooooo", 5, NOW).state.evidence).to.include({ learned: 5, failShare: freshEvidence().failShare });
  });

  it("refuses the step strategy's settings, naming the field", () => {
    expect(() => adaptiveStrategy.onSchedule(closed(5), stepSettings(), NOW)).to.throw(/controller\.strategy "step"/);
  });
});
