import { expect } from "chai";
import { STEP_VERDICT, stepStrategy, stepVerdict } from "../../runtime/controller/step";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";
import { adaptiveSettings, batch, MINUTE, stepSettings, THRESHOLD_MS } from "./fixtures";

const NOW = 1_700_000_000_000;
const settings = stepSettings();

function closedAt(limit: number, extra: Partial<ControllerState> = {}): ControllerState {
  return { ...stepStrategy.initial(settings, 0), limit, mappingBatchSize: limit, ...extra };
}

describe("controller/step (the original demo)", () => {
  it("starts at the initial batch size with the breaker closed", () => {
    const s = stepStrategy.initial(stepSettings({}, { initialFanOut: 6 }), NOW);
    expect(s).to.deep.equal({
      strategy: "step",
      limit: 6,
      mappingBatchSize: 6,
      lastGoodLimit: 6,
      lastDecreaseAt: null,
      lastUpdateAt: null,
      breaker: { status: "closed" },
    });
  });

  const closedCases: { name: string; limit: number; calls: string; limitAfter: number; action: string }[] = [
    { name: "all calls good grows by one", limit: 5, calls: "ooooo", limitAfter: 6, action: "resize" },
    { name: "all calls good at the cap keeps the cap", limit: 10, calls: "oooooooooo", limitAfter: 10, action: "keep" },
    { name: "more than half failed shrinks by one", limit: 5, calls: "eetoo", limitAfter: 4, action: "resize" },
    { name: "more than half slow shrinks by one (slow ok calls are bad)", limit: 4, calls: "ssso", limitAfter: 3, action: "resize" },
    { name: "timeouts are bad", limit: 3, calls: "xxo", limitAfter: 2, action: "resize" },
    { name: "exactly half bad keeps the size (the rule is more than 50 %)", limit: 4, calls: "ooet", limitAfter: 4, action: "keep" },
    { name: "one bad call among good ones keeps the size", limit: 6, calls: "oooooe", limitAfter: 6, action: "keep" },
  ];
  for (const c of closedCases) {
    it(`${c.name}`, () => {
      const d = stepStrategy.afterBatch(closedAt(c.limit), batch(c.calls, c.limit), settings, NOW);
      expect(d.state.limit).to.equal(c.limitAfter);
      expect(d.action.type).to.equal(c.action);
      if (c.action === "resize") {
        expect(d.action).to.deep.equal({ type: "resize", batchSize: c.limitAfter });
        expect(d.state).to.include({ mappingBatchSize: c.limitAfter, lastUpdateAt: NOW });
      }
    });
  }

  it("ignores errorRateThreshold: 2 bad calls of 10 keep the size even with a 10 % threshold", () => {
    const strict = stepSettings({}, { errorRateThreshold: 0.1 });
    const d = stepStrategy.afterBatch(closedAt(10), batch("eeoooooooo", 10), strict, NOW);
    expect(d.action.type).to.equal("keep");
    expect(d.state.limit).to.equal(10);
  });

  it("has no hysteresis: two changes a millisecond apart are two mapping updates", () => {
    const first = stepStrategy.afterBatch(closedAt(5), batch("ooooo", 5), settings, NOW);
    const second = stepStrategy.afterBatch(first.state, batch("oooooo", 6), settings, NOW + 1);
    expect([first.action, second.action]).to.deep.equal([
      { type: "resize", batchSize: 6 },
      { type: "resize", batchSize: 7 },
    ]);
  });

  it("remembers the size it shrank from and when", () => {
    const d = stepStrategy.afterBatch(closedAt(5), batch("eeeee", 5), settings, NOW);
    expect(d.state).to.include({ lastGoodLimit: 5, lastDecreaseAt: NOW });
  });

  it("opens the breaker when a batch of size 1 is bad, until the next re-arm tick", () => {
    const d = stepStrategy.afterBatch(closedAt(1), batch("s", 1), settings, NOW);
    expect(d.action).to.deep.equal({ type: "open-breaker", nextProbeAt: NOW });
    expect(d.state.breaker).to.deep.equal({ status: BREAKER.OPEN, openedAt: NOW, nextProbeAt: NOW, trips: 1 });
  });

  it("counts a slow failure twice, as the demo's slowCount + errorCount: one timeout and two good calls are a bad batch", () => {
    expect(stepVerdict(batch("xoo", 3), THRESHOLD_MS)).to.equal(STEP_VERDICT.BAD);
    expect(stepVerdict(batch("eoo", 3), THRESHOLD_MS)).to.equal(STEP_VERDICT.MIXED);
    expect(stepVerdict(batch("soo", 3), THRESHOLD_MS)).to.equal(STEP_VERDICT.MIXED);
  });

  it("ignores a batch that was still running when the breaker opened", () => {
    const open = stepStrategy.afterBatch(closedAt(1), batch("e", 1), settings, NOW).state;
    const d = stepStrategy.afterBatch(open, batch("oo", 1), settings, NOW + 1);
    expect(d).to.deep.equal({ state: open, action: { type: "keep" } });
  });

  describe("re-arm schedule", () => {
    const open = stepStrategy.afterBatch(closedAt(1), batch("e", 1), settings, NOW).state;

    it("re-enables the mapping at batch size 1 at the next tick after it opened, however soon (half-open)", () => {
      expect(stepStrategy.onSchedule(open, settings, NOW + 1).action).to.deep.equal({ type: "probe", batchSize: 1 });
      const d = stepStrategy.onSchedule(open, settings, NOW + 10 * MINUTE);
      expect(d.action).to.deep.equal({ type: "probe", batchSize: 1 });
      expect(d.state).to.include({ limit: 1, mappingBatchSize: 1, lastUpdateAt: NOW + 10 * MINUTE });
      expect(d.state.breaker).to.deep.equal({ status: BREAKER.HALF_OPEN, since: NOW + 10 * MINUTE, goodProbes: 0, trips: 1 });
    });

    it("does nothing while the breaker is closed", () => {
      const closed = closedAt(4);
      expect(stepStrategy.onSchedule(closed, settings, NOW).action.type).to.equal("keep");
    });
  });

  describe("half-open", () => {
    const halfOpenAt = NOW + 10 * MINUTE;
    const open = stepStrategy.afterBatch(closedAt(1), batch("e", 1), settings, NOW).state;
    const halfOpen = stepStrategy.onSchedule(open, settings, halfOpenAt).state;

    it("closes at batch size 2 (the demo's +1) after one good batch", () => {
      const d = stepStrategy.afterBatch(halfOpen, batch("o", 1), settings, halfOpenAt + 1);
      expect(d.action).to.deep.equal({ type: "close", batchSize: 2 });
      expect(d.state).to.include({ limit: 2, mappingBatchSize: 2 });
      expect(d.state.breaker.status).to.equal(BREAKER.CLOSED);
    });

    it("closes at 1 when the cap is 1", () => {
      const capOne = stepSettings({}, { maxFanOut: 1 });
      const h = stepStrategy.onSchedule(stepStrategy.afterBatch(closedAt(1), batch("e", 1), capOne, NOW).state, capOne, halfOpenAt).state;
      expect(stepStrategy.afterBatch(h, batch("o", 1), capOne, halfOpenAt + 1).action).to.deep.equal({ type: "close", batchSize: 1 });
    });

    it("re-opens until the next tick when the probe is bad", () => {
      const d = stepStrategy.afterBatch(halfOpen, batch("t", 1), settings, halfOpenAt + 5);
      expect(d.action).to.deep.equal({ type: "open-breaker", nextProbeAt: halfOpenAt + 5 });
      expect(d.state.breaker).to.include({ status: BREAKER.OPEN, trips: 2 });
    });

    it("stays half-open at 1 after a mixed batch, as the demo kept size 1", () => {
      const d = stepStrategy.afterBatch(halfOpen, batch("oe", 1), settings, halfOpenAt + 5);
      expect(d).to.deep.equal({ state: halfOpen, action: { type: "keep" } });
    });
  });

  it("makes no decision for a batch without calls", () => {
    const s = closedAt(3);
    expect(stepStrategy.afterBatch(s, batch("", 3), settings, NOW)).to.deep.equal({ state: s, action: { type: "keep" } });
  });

  it("refuses the adaptive strategy's settings, naming the field", () => {
    expect(() => stepStrategy.afterBatch(closedAt(3), batch("o", 3), adaptiveSettings(), NOW)).to.throw(/controller\.strategy "adaptive"/);
  });
});
