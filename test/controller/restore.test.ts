import { expect } from "chai";
import { adaptiveStrategy, restoreState, stepStrategy, strategyFor, strategyOf } from "../../runtime/controller";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";
import { MAX_MAPPING_BATCH_SIZE } from "../../runtime/controller/mapping-update";
import { validateProvider } from "../../runtime/catalog/validate";
import { adaptiveSettings, stepSettings } from "./fixtures";

const NOW = 1_700_000_000_000;
const settings = adaptiveSettings();

const closed: ControllerState = {
  strategy: "adaptive",
  limit: 6,
  mappingBatchSize: 8,
  lastGoodLimit: 9,
  lastDecreaseAt: NOW - 5_000,
  lastUpdateAt: NOW - 90_000,
  breaker: { status: BREAKER.CLOSED },
};
const open: ControllerState = {
  ...closed,
  limit: 1,
  breaker: { status: BREAKER.OPEN, openedAt: NOW - 1_000, nextProbeAt: NOW + 1_200_000, trips: 2 },
};
const halfOpen: ControllerState = {
  ...closed,
  limit: 1,
  mappingBatchSize: 1,
  lastDecreaseAt: null,
  lastUpdateAt: null,
  breaker: { status: BREAKER.HALF_OPEN, since: NOW - 3_000, goodProbes: 2, trips: 3 },
};

describe("controller/restore", () => {
  for (const [name, state] of [["a closed", closed], ["an open", open], ["a half-open", halfOpen]] as const) {
    it(`round-trips ${name} state through JSON unchanged`, () => {
      const json = JSON.parse(JSON.stringify(state)) as unknown;
      expect(json).to.deep.equal(state);
      expect(restoreState(json, settings, NOW)).to.deep.equal(state);
    });
  }

  it("round-trips the latency estimate, and restores a state saved before it existed without one", () => {
    const withLatency = { ...closed, latencyMs: 640.5 };
    expect(restoreState(JSON.parse(JSON.stringify(withLatency)), settings, NOW)).to.deep.equal(withLatency);
    expect(restoreState(JSON.parse(JSON.stringify(closed)), settings, NOW)).not.to.have.property("latencyMs");
    expect(restoreState({ ...closed, latencyMs: -1 }, settings, NOW)).to.deep.equal(adaptiveStrategy.initial(settings, NOW));
  });

  it("restores a state saved under the old name of the mapping's batch size (appliedBatchSize)", () => {
    const { mappingBatchSize, ...rest } = closed;
    expect(restoreState({ ...rest, appliedBatchSize: mappingBatchSize }, settings, NOW)).to.deep.equal(closed);
  });

  it("round-trips the initial state of each strategy", () => {
    for (const s of [adaptiveSettings(), stepSettings()]) {
      const initial = strategyOf(s).initial(s, NOW);
      expect(restoreState(JSON.parse(JSON.stringify(initial)), s, NOW)).to.deep.equal(initial);
    }
  });

  const freshCases: { name: string; saved: unknown }[] = [
    { name: "nothing was saved", saved: undefined },
    { name: "null was saved", saved: null },
    { name: "a string was saved", saved: "closed" },
    { name: "a field is missing", saved: { ...closed, lastGoodLimit: undefined } },
    { name: "the limit is not an integer", saved: { ...closed, limit: 2.5 } },
    { name: "the limit is not a number", saved: { ...closed, limit: "6" } },
    { name: "the breaker status is unknown", saved: { ...closed, breaker: { status: "ajar" } } },
    { name: "an open breaker has no probe time", saved: { ...open, breaker: { status: "open", openedAt: NOW, trips: 1 } } },
    { name: "trips is negative", saved: { ...halfOpen, breaker: { ...halfOpen.breaker, trips: -1 } } },
    { name: "the strategy is unknown", saved: { ...closed, strategy: "vegas" } },
    { name: "the state belongs to the other strategy (the catalog switched)", saved: { ...closed, strategy: "step" } },
  ];
  for (const c of freshCases) {
    it(`starts afresh when ${c.name}`, () => {
      expect(restoreState(c.saved, settings, NOW)).to.deep.equal(adaptiveStrategy.initial(settings, NOW));
    });
  }

  it("starts a step strategy afresh from an adaptive state", () => {
    const step = stepSettings();
    expect(restoreState(closed, step, NOW)).to.deep.equal(stepStrategy.initial(step, NOW));
  });

  it("clamps the limits into [1, maxFanOut] when the cap was lowered; the mapping may hold more than the fan-out cap", () => {
    const lowered = adaptiveSettings({}, { maxConcurrency: 4, maxFanOut: 4 });
    expect(restoreState(closed, lowered, NOW)).to.deep.equal({ ...closed, limit: 4, mappingBatchSize: 8, lastGoodLimit: 4 });
  });

  it("clamps the mapping to what a Kinesis mapping accepts", () => {
    expect(restoreState({ ...closed, mappingBatchSize: MAX_MAPPING_BATCH_SIZE + 1 }, settings, NOW)).to.include({ mappingBatchSize: MAX_MAPPING_BATCH_SIZE });
  });

  it("clamps sizes below 1 up to 1", () => {
    const restored = restoreState({ ...closed, limit: 0, mappingBatchSize: -3, lastGoodLimit: 0 }, settings, NOW);
    expect(restored).to.include({ limit: 1, mappingBatchSize: 1, lastGoodLimit: 1 });
  });

  it("drops fields it does not know", () => {
    expect(restoreState({ ...closed, legacy: true }, settings, NOW)).to.deep.equal(closed);
  });

  it("starts from the initial fan-out the catalog derives (adaptive: its warm-up at half of it first)", () => {
    const s = adaptiveSettings({}, { maxConcurrency: 12, maxFanOut: undefined, shardCount: 2, initialFanOut: 4 });
    expect(restoreState(undefined, s, NOW)).to.include({ limit: 2, mappingBatchSize: 4, lastGoodLimit: 4 });
    const step = stepSettings({}, { maxConcurrency: 12, maxFanOut: undefined, shardCount: 2, initialFanOut: 3 });
    expect(restoreState(undefined, step, NOW)).to.include({ limit: 3, mappingBatchSize: 3, lastGoodLimit: 3 });
  });

  describe("registry", () => {
    it("finds each strategy by its catalog name", () => {
      expect(strategyFor("step")).to.equal(stepStrategy);
      expect(strategyFor("adaptive")).to.equal(adaptiveStrategy);
    });

    it("picks the provider's strategy, adaptive when the catalog names none", () => {
      expect(strategyOf(stepSettings()).name).to.equal("step");
      expect(strategyOf(adaptiveSettings()).name).to.equal("adaptive");
      const unnamed = validateProvider({ id: "acme", maxConcurrency: 4, worker: { module: "chaos" } });
      expect(strategyOf(unnamed)).to.equal(adaptiveStrategy);
    });

    it("rejects an unknown name, listing the known ones", () => {
      expect(() => strategyFor("bbr" as never)).to.throw(/"bbr" is not one of step, adaptive, aimd, vegas, gradient2/);
    });
  });
});
