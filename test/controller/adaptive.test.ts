import { expect } from "chai";
import { adaptiveStrategy, congestedSoFar, FAILING_MIN_SAMPLES, isCongested, RECENT_MIN_SAMPLES, recentSamples, regrow } from "../../runtime/controller/adaptive";
import { LATENCY_MEMORY_SAMPLES, MAX_MAPPING_BATCH_SIZE, wavesFor } from "../../runtime/controller/mapping-update";
import { PROBE_SLACK_MS } from "../../runtime/controller/breaker";
import { summarize } from "../../runtime/controller/batch-stats";
import { BREAKER, type CallSample, type ControllerState } from "../../runtime/controller/types";
import { adaptiveSettings, batch, calls, MINUTE, stepSettings, THRESHOLD_MS } from "./fixtures";

const NOW = 1_700_000_000_000;
const INTERVAL = 60_000;
const settings = adaptiveSettings({
  decreaseFactor: 0.7,
  minUpdateIntervalSeconds: 60,
  breaker: { baseIntervalMinutes: 10, maxIntervalMinutes: 40, probesToClose: 3 },
});

/** A closed state whose mapping matches the limit and was last updated long ago. */
function closed(limit: number, extra: Partial<ControllerState> = {}): ControllerState {
  return { ...adaptiveStrategy.initial(settings, 0), limit, mappingBatchSize: limit, lastUpdateAt: NOW - 10 * INTERVAL, ...extra };
}

const after = (s: ControllerState, pattern: string, limit: number, at: number, peak?: number) =>
  adaptiveStrategy.afterBatch(s, batch(pattern, limit, peak), settings, at);

describe("controller/adaptive", () => {
  describe("congestion", () => {
    const cases: { name: string; calls: string; threshold: number; congested: boolean }[] = [
      { name: "one throttled call among ten", calls: "ooooooooot", threshold: 0.5, congested: true },
      { name: "bad share above the threshold", calls: "eeeoo", threshold: 0.5, congested: true },
      { name: "bad share at the threshold", calls: "eeoo", threshold: 0.5, congested: false },
      { name: "timeouts are bad, not healthy", calls: "xxo", threshold: 0.5, congested: true },
      { name: "slow successes are bad", calls: "sso", threshold: 0.5, congested: true },
      { name: "a single error under a strict threshold", calls: "eoooooooooo", threshold: 0.05, congested: true },
      { name: "a few errors under a lax threshold", calls: "eeooo", threshold: 0.5, congested: false },
    ];
    for (const c of cases) {
      it(`${c.congested ? "is" : "is not"} congested: ${c.name}`, () => {
        expect(isCongested(summarize(calls(c.calls), THRESHOLD_MS), c.threshold)).to.equal(c.congested);
      });
    }

    it("reads errorRateThreshold from the provider", () => {
      const strict = adaptiveSettings({}, { errorRateThreshold: 0.1 });
      const s = { ...adaptiveStrategy.initial(strict, 0), limit: 10, mappingBatchSize: 10 };
      expect(adaptiveStrategy.afterBatch(s, batch("eeoooooooo", 10), strict, NOW).state.limit).to.equal(7);
      expect(adaptiveStrategy.afterBatch(s, batch("eeoooooooo", 10), settings, NOW).state.limit).to.equal(10);
    });
  });

  describe("multiplicative decrease", () => {
    const cases: { from: number; to: number }[] = [
      { from: 10, to: 7 },
      { from: 7, to: 4 },
      { from: 4, to: 2 },
      { from: 2, to: 1 },
    ];
    for (const c of cases) {
      it(`takes a congested limit of ${c.from} to ⌊${c.from} × 0.7⌋ = ${c.to} and remembers ${c.from} as the level to regrow to`, () => {
        const d = after(closed(c.from), "t".repeat(c.from), c.from, NOW);
        expect(d.state).to.include({ limit: c.to, lastGoodLimit: c.from, lastDecreaseAt: NOW });
      });
    }

    it("does not compound: a batch that ran under a limit already decreased changes nothing", () => {
      const first = after(closed(10), "tttttttttt", 10, NOW).state;
      const d = after(first, "tttttttttt", 10, NOW + 1);
      expect(d.state).to.deep.equal(first);
      expect(d.action.type).to.equal("keep");
    });

    it("decreases from the limit the batch ran under when that was lower than today's limit", () => {
      const d = after(closed(8), "tttt", 5, NOW);
      expect(d.state).to.include({ limit: 3, lastGoodLimit: 5 });
    });
  });

  describe("regrowth", () => {
    const W10 = { lastGoodLimit: 10, lastDecreaseAt: NOW - 10 * INTERVAL };
    const cases: { name: string; limit: number; state: Partial<ControllerState>; peak?: number; at?: number; to: number }[] = [
      { name: "far below the last good level closes half the gap to W − 1", limit: 3, state: W10, to: 6 },
      { name: "closer in, still half the gap (rounded up)", limit: 7, state: W10, to: 8 },
      { name: "at W − 1, after the plateau, probes W", limit: 4, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - 2 * INTERVAL }, to: 5 },
      { name: "past W − 1 the probe distance doubles (W → W + 1)", limit: 5, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - 2 * INTERVAL }, to: 6 },
      { name: "past W − 1 the probe distance doubles (W + 1 → W + 3)", limit: 6, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - 2 * INTERVAL }, to: 8 },
      { name: "past W − 1 the probe distance doubles (W + 3 → W + 7, capped)", limit: 8, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - 2 * INTERVAL }, to: 10 },
      { name: "never past the cap", limit: 9, state: { lastGoodLimit: 4, lastDecreaseAt: null }, to: 10 },
      { name: "holds at W − 1 during the plateau after a decrease", limit: 4, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - INTERVAL + 1 }, to: 4 },
      { name: "probes once the plateau (one update interval) is over", limit: 4, state: { lastGoodLimit: 5, lastDecreaseAt: NOW - INTERVAL }, to: 5 },
      { name: "does not grow when the batch did not use the limit (peak × 2 < limit)", limit: 6, state: W10, peak: 2, to: 6 },
      { name: "grows below W when half the limit was used", limit: 6, state: W10, peak: 3, to: 8 },
      { name: "past W, only a fully used limit counts as a probe", limit: 6, state: { lastGoodLimit: 5, lastDecreaseAt: null }, peak: 5, to: 6 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.limit} → ${c.to}`, () => {
        const d = after(closed(c.limit, c.state), "o".repeat(c.peak ?? c.limit), c.limit, c.at ?? NOW, c.peak);
        expect(d.state.limit).to.equal(c.to);
      });
    }

    it("returns from a decrease to the old level in a few good batches", () => {
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

    it("ignores a good batch that ran under a limit that has since been decreased", () => {
      const decreased = after(closed(10), "tttttttttt", 10, NOW).state;
      expect(after(decreased, "oooooooooo", 10, NOW + 1).state.limit).to.equal(7);
    });

    it("regrow is a pure function of what the batch ran", () => {
      const s = closed(4, { lastGoodLimit: 10 });
      expect(regrow(4, 4, s, INTERVAL, NOW)).to.equal(7);
      expect(regrow(4, 1, s, INTERVAL, NOW)).to.equal(4);
    });
  });

  describe("mapping sized in time", () => {
    /** `n` ok calls of `ms` each (1 s is at the slow threshold, not above it). */
    const ok = (n: number, ms = THRESHOLD_MS) => Array.from({ length: n }, () => ({ latencyMs: ms, outcome: "ok" as const }));
    const report = (samples: CallSample[], limit: number) => ({ samples, limit, peakInFlight: limit });

    it("grows a one-wave mapping to as many waves as fill TARGET_BATCH_SECONDS at the latency seen", () => {
      const d = adaptiveStrategy.afterBatch(closed(10), report(ok(10), 10), settings, NOW);
      const target = Math.min(MAX_MAPPING_BATCH_SIZE, wavesFor(THRESHOLD_MS) * 10);
      expect(d.action).to.deep.equal({ type: "resize", batchSize: target });
      expect(d.state).to.include({ limit: 10, mappingBatchSize: target, lastUpdateAt: NOW });
    });

    it("leaves the mapping alone while it holds between half and twice the target", () => {
      const s = closed(10, { mappingBatchSize: wavesFor(THRESHOLD_MS) * 7 });
      const d = adaptiveStrategy.afterBatch(s, report([...ok(6), ...calls("tttt")], 10), settings, NOW);
      expect(d.state).to.include({ limit: 7, mappingBatchSize: wavesFor(THRESHOLD_MS) * 7 });
      expect(d.action.type).to.equal("keep");
    });

    it("shrinks the mapping once the limit fell far below what it holds", () => {
      const s = closed(10, { mappingBatchSize: wavesFor(THRESHOLD_MS) * 10 });
      const d = adaptiveStrategy.afterBatch(s, report([...ok(2), ...calls("eeeeeeeeee")], 10), settings, NOW);
      expect(d.state.limit).to.equal(1);
      expect(d.action).to.deep.equal({ type: "resize", batchSize: wavesFor(THRESHOLD_MS) });
    });

    it("sizes the mapping on the moving average of the latency, not on one wave's mean", () => {
      const s = closed(10, { latencyMs: THRESHOLD_MS, mappingBatchSize: wavesFor(THRESHOLD_MS) * 10 });
      const d = adaptiveStrategy.afterBatch(s, report(ok(10, 100), 10), settings, NOW);
      expect(d.state.latencyMs).to.equal(THRESHOLD_MS + (10 / LATENCY_MEMORY_SAMPLES) * (100 - THRESHOLD_MS));
      expect(d.action.type).to.equal("keep");
    });

    it("updates the mapping at once when it was never updated", () => {
      const fresh = { ...adaptiveStrategy.initial(settings, 0), limit: 4, mappingBatchSize: 4, lastGoodLimit: 10 };
      expect(after(fresh, "oooo", 4, NOW).action.type).to.equal("resize");
    });

    it("waits minUpdateIntervalSeconds after the last update, then applies the current limit", () => {
      const s = closed(4, { lastGoodLimit: 10, lastUpdateAt: NOW - INTERVAL + 1000 });
      const early = adaptiveStrategy.afterBatch(s, report(ok(4), 4), settings, NOW);
      expect(early.action.type).to.equal("keep");
      expect(early.state).to.include({ limit: 7, mappingBatchSize: 4 });
      const due = adaptiveStrategy.afterBatch(early.state, report(ok(4), 4), settings, NOW + 1000);
      expect(due.action).to.deep.equal({ type: "resize", batchSize: wavesFor(THRESHOLD_MS) * 7 });
    });

    it("enforces the lower limit at once even though the mapping waits", () => {
      const s = closed(10, { lastUpdateAt: NOW - 1 });
      const d = after(s, "tttttttttt", 10, NOW);
      expect(d.state.limit).to.equal(7);
      expect(d.action.type).to.equal("keep");
    });

    it("never delays the breaker: it opens right after a mapping update", () => {
      const s = closed(1, { lastUpdateAt: NOW - 1 });
      expect(after(s, "e", 1, NOW).action.type).to.equal("open-breaker");
    });
  });

  describe("a long batch is judged on its recent calls", () => {
    const o = (n: number) => "o".repeat(n);
    const cases: { name: string; calls: string; limit: number; to: number }[] = [
      { name: "a good start does not hide a congested end", calls: o(40) + "eeeeeeoooo", limit: 10, to: 7 },
      { name: "a throttle among the last calls is congestion", calls: o(40) + "ooooooooot", limit: 10, to: 7 },
      { name: "trouble early in the batch that has passed is not", calls: "eeeeeeeeeeeeeeeeeeee" + o(30), limit: 6, to: 8 },
      { name: "at least RECENT_MIN_SAMPLES calls are read under a small limit", calls: o(20) + "eeeeeeoooo", limit: 2, to: 1 },
      { name: "a short batch is read whole", calls: "eoo", limit: 6, to: 8 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.limit} → ${c.to}`, () => {
        const s = closed(c.limit, { lastGoodLimit: 10, lastDecreaseAt: NOW - 10 * INTERVAL });
        expect(after(s, c.calls, c.limit, NOW).state.limit).to.equal(c.to);
      });
    }
    it("judges a wave on the batch's recent calls: one slow call at limit 1 is no verdict, a run of bad ones is", () => {
      const s = closed(1, { lastGoodLimit: 10, lastDecreaseAt: NOW - 10 * INTERVAL });
      const oneSlow = { samples: calls("s"), limit: 1, peakInFlight: 1, recent: calls("ooooooooos") };
      expect(adaptiveStrategy.afterBatch(s, oneSlow, settings, NOW).action.type).not.to.equal("open-breaker");
      const struggling = { samples: calls("s"), limit: 1, peakInFlight: 1, recent: calls("oooossssss") };
      expect(adaptiveStrategy.afterBatch(s, struggling, settings, NOW).action.type).to.equal("open-breaker");
    });

    it(`reads the last max(limit, ${RECENT_MIN_SAMPLES}) calls`, () => {
      expect(recentSamples(calls("o".repeat(30)), 4)).to.have.length(RECENT_MIN_SAMPLES);
      expect(recentSamples(calls("o".repeat(30)), 25)).to.have.length(25);
      expect(recentSamples(calls("ooo"), 25)).to.have.length(3);
    });
  });

  describe("a failing provider (nearly every recent call errored or timed out)", () => {
    const cases: { name: string; calls: string; limit: number; to: number; w: number }[] = [
      { name: "errors everywhere drop straight to 1", calls: "eeeeeeeeee", limit: 10, to: 1, w: 10 },
      { name: "timeouts everywhere drop straight to 1 (keeping a higher level that worked)", calls: "xxxxx", limit: 5, to: 1, w: 10 },
      { name: `at least ${FAILING_MIN_SAMPLES} calls are needed: two errors are a decrease`, calls: "ee", limit: 10, to: 7, w: 10 },
      { name: "throttles mean busy, not down: a decrease", calls: "tttttttttt", limit: 10, to: 7, w: 10 },
      { name: "slow successes are not failures: a decrease", calls: "ssssssssss", limit: 10, to: 7, w: 10 },
      { name: "a straggler that still succeeds does not hide it", calls: "eeeeeeeeeo", limit: 10, to: 1, w: 10 },
      { name: "errors in 7 calls of 10 are congestion: a decrease", calls: "eeeeeeeooo", limit: 10, to: 7, w: 10 },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.limit} → ${c.to}, remembering ${c.w}`, () => {
        const d = after(closed(c.limit), c.calls, c.limit, NOW);
        expect(d.state).to.include({ limit: c.to, lastGoodLimit: c.w, lastDecreaseAt: NOW });
      });
    }

    it("remembers the level before the outage when a first mixed wave already decreased", () => {
      const decreased = after(closed(10), "ooooeeeeee", 10, NOW).state;
      expect(decreased).to.include({ limit: 7, lastGoodLimit: 10 });
      expect(after(decreased, "eeeeeeeeeo", 7, NOW + 1_000).state).to.include({ limit: 1, lastGoodLimit: 10 });
    });

    it("then opens the breaker at 1 and, once the provider is back, closes one decrease below the level that worked", () => {
      const failing = after(closed(10), "eeeeeeeeee", 10, NOW).state;
      const open = after(failing, "e", 1, NOW + 1_000);
      expect(open.action.type).to.equal("open-breaker");
      let s = adaptiveStrategy.onSchedule(open.state, settings, NOW + 1_000 + 10 * MINUTE).state;
      let last = after(s, "o", 1, NOW + 11 * MINUTE);
      for (let i = 2; i <= 3; i++) {
        s = last.state;
        last = after(s, "o", 1, NOW + 11 * MINUTE + i);
      }
      expect(last.action).to.deep.equal({ type: "close", batchSize: Math.min(MAX_MAPPING_BATCH_SIZE, wavesFor(last.state.latencyMs!) * 7) });
      expect(last.state).to.include({ limit: 7, lastGoodLimit: 10 });
    });
  });

  describe("congestedSoFar: the early stop of a running batch", () => {
    const cases: { name: string; calls: string; wave: number; stop: boolean }[] = [
      { name: "a throttle among the recent calls, even before a wave completed", calls: "ot", wave: 10, stop: true },
      { name: "a throttle that scrolled out of the recent calls", calls: "t" + "o".repeat(20), wave: 10, stop: false },
      { name: "bad calls before a whole wave completed", calls: "eee", wave: 10, stop: false },
      { name: "a completed wave, most recent calls bad", calls: "o".repeat(30) + "eeeeeeoooo", wave: 10, stop: true },
      { name: "a completed wave, bad calls long ago", calls: "e".repeat(30) + "o".repeat(10), wave: 10, stop: false },
      { name: "limit 1: the first failed call", calls: "x", wave: 1, stop: true },
    ];
    for (const c of cases) {
      it(`${c.stop ? "stops" : "goes on"}: ${c.name}`, () => {
        expect(congestedSoFar(calls(c.calls), c.wave, THRESHOLD_MS, 0.5)).to.equal(c.stop);
      });
    }
  });

  describe("breaker", () => {
    const open1 = after(closed(1), "x", 1, NOW);

    it("opens when a batch at limit 1 is congested, for baseIntervalMinutes", () => {
      expect(open1.action).to.deep.equal({ type: "open-breaker", nextProbeAt: NOW + 10 * MINUTE });
      expect(open1.state.breaker).to.deep.equal({ status: BREAKER.OPEN, openedAt: NOW, nextProbeAt: NOW + 10 * MINUTE, trips: 1 });
      expect(open1.state.lastUpdateAt).to.equal(NOW);
    });

    it("does not open on a congested batch that ran at 1 while the limit has grown since: it decreases", () => {
      const d = after(closed(3), "e", 1, NOW);
      expect(d.action.type).not.to.equal("open-breaker");
      expect(d.state.limit).to.equal(1);
    });

    it("ignores batches that end while it is open", () => {
      expect(after(open1.state, "oo", 1, NOW + 1)).to.deep.equal({ state: open1.state, action: { type: "keep" } });
    });

    it("probes on the schedule once due (within the slack), not before", () => {
      expect(adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE - PROBE_SLACK_MS - 1).action.type).to.equal("keep");
      const probe = adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE);
      expect(probe.action).to.deep.equal({ type: "probe" });
      expect(probe.state).to.include({ limit: 1, mappingBatchSize: 1 });
      expect(probe.state.breaker).to.deep.equal({ status: BREAKER.HALF_OPEN, since: NOW + 10 * MINUTE, goodProbes: 0, trips: 1 });
    });

    it("doubles the half-open wait on every re-open, counted from the probe's tick, up to maxIntervalMinutes", () => {
      let s = open1.state;
      let t = NOW;
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        const breaker = s.breaker as { nextProbeAt: number };
        t = breaker.nextProbeAt;
        s = adaptiveStrategy.onSchedule(s, settings, t).state;
        const reopened = after(s, "t", 1, t + 1);
        waits.push(((reopened.action as { nextProbeAt: number }).nextProbeAt - t) / MINUTE);
        s = reopened.state;
      }
      expect(waits).to.deep.equal([20, 40, 40, 40]);
      expect(s.breaker).to.include({ trips: 5 });
    });

    it("needs probesToClose good probes to close", () => {
      let s = adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE).state;
      const actions: string[] = [];
      for (let i = 1; i <= 3; i++) {
        const d = after(s, "o", 1, NOW + 10 * MINUTE + i);
        actions.push(d.action.type);
        s = d.state;
      }
      expect(actions).to.deep.equal(["keep", "keep", "close"]);
      expect(s.breaker).to.deep.equal({ status: BREAKER.CLOSED });
    });

    it("counts good probes in the state while half-open", () => {
      const half = adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE).state;
      expect(after(half, "o", 1, NOW + 10 * MINUTE + 1).state.breaker).to.include({ status: BREAKER.HALF_OPEN, goodProbes: 1 });
    });

    it("closes at ⌊lastGoodLimit × decreaseFactor⌋ (one more decrease from the level it regrows to), the mapping sized for it", () => {
      const half = adaptiveStrategy.onSchedule({ ...open1.state, lastGoodLimit: 6 }, settings, NOW + 10 * MINUTE).state;
      const d = after(after(after(half, "o", 1, NOW + 10 * MINUTE + 1).state, "o", 1, NOW + 10 * MINUTE + 2).state, "o", 1, NOW + 10 * MINUTE + 3);
      const batchSize = Math.min(MAX_MAPPING_BATCH_SIZE, wavesFor(d.state.latencyMs!) * 4);
      expect(d.action).to.deep.equal({ type: "close", batchSize });
      expect(d.state).to.include({ limit: 4, mappingBatchSize: batchSize, lastUpdateAt: NOW + 10 * MINUTE + 3 });
    });

    it("re-opens on a congested probe even after good ones", () => {
      const half = adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE).state;
      const good = after(half, "o", 1, NOW + 10 * MINUTE + 1).state;
      const d = after(good, "s", 1, NOW + 10 * MINUTE + 2);
      expect(d.action.type).to.equal("open-breaker");
      expect(d.state.breaker).to.include({ status: BREAKER.OPEN, trips: 2 });
    });

    it("starts counting trips afresh after a close", () => {
      let s = adaptiveStrategy.onSchedule(open1.state, settings, NOW + 10 * MINUTE).state;
      for (let i = 1; i <= 3; i++) s = after(s, "o", 1, NOW + 10 * MINUTE + i).state;
      const reopened = after({ ...s, limit: 1 }, "e", 1, NOW + 20 * MINUTE);
      expect(reopened.action).to.deep.equal({ type: "open-breaker", nextProbeAt: NOW + 30 * MINUTE });
      expect(reopened.state.breaker).to.include({ trips: 1 });
    });

    it("does nothing on the schedule while closed", () => {
      const s = closed(5);
      expect(adaptiveStrategy.onSchedule(s, settings, NOW)).to.deep.equal({ state: s, action: { type: "keep" } });
    });
  });

  it("makes no decision for a batch without calls", () => {
    const s = closed(5);
    expect(after(s, "", 5, NOW)).to.deep.equal({ state: s, action: { type: "keep" } });
  });

  it("refuses the step strategy's settings, naming the field", () => {
    expect(() => adaptiveStrategy.onSchedule(closed(5), stepSettings(), NOW)).to.throw(/controller\.strategy "step"/);
  });
});
