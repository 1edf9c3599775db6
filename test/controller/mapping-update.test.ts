import { expect } from "chai";
import { followLimit, mappingTarget, settleMapping } from "../../runtime/controller/mapping-update";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";

const NOW = 1_700_000_000_000;
const base: ControllerState = {
  strategy: "adaptive",
  limit: 5,
  appliedBatchSize: 5,
  lastGoodLimit: 5,
  lastDecreaseAt: null,
  lastUpdateAt: null,
  breaker: { status: BREAKER.CLOSED },
};

describe("controller/mapping-update", () => {
  const targets: { limit: number; applied: number; max: number; target: number | null; why: string }[] = [
    { limit: 5, applied: 5, max: 10, target: null, why: "the mapping matches" },
    { limit: 4, applied: 8, max: 10, target: null, why: "the limit is half the mapping: two waves at most" },
    { limit: 3, applied: 8, max: 10, target: 6, why: "the limit fell below half: shrink to two waves" },
    { limit: 6, applied: 4, max: 20, target: 12, why: "the limit outgrew the mapping: headroom of two" },
    { limit: 7, applied: 4, max: 10, target: 10, why: "headroom stops at the cap" },
    { limit: 1, applied: 10, max: 10, target: 2, why: "limit 1 under a full mapping" },
  ];
  for (const t of targets) {
    it(`moves a mapping of ${t.applied} under limit ${t.limit} to ${t.target ?? "nothing"}: ${t.why}`, () => {
      expect(mappingTarget(t.limit, t.applied, t.max)).to.equal(t.target);
    });
  }

  it("resizes and records when, once the interval since the last update has passed", () => {
    const s = { ...base, limit: 8, appliedBatchSize: 3, lastUpdateAt: NOW - 60_000 };
    expect(settleMapping(s, NOW, 60_000, 10)).to.deep.equal({
      state: { ...s, appliedBatchSize: 10, lastUpdateAt: NOW },
      action: { type: "resize", batchSize: 10 },
    });
  });

  it("keeps the mapping within the interval", () => {
    const s = { ...base, limit: 8, appliedBatchSize: 3, lastUpdateAt: NOW - 59_999 };
    expect(settleMapping(s, NOW, 60_000, 10)).to.deep.equal({ state: s, action: { type: "keep" } });
  });

  it("keeps the mapping when the clock went backwards past the last update", () => {
    const s = { ...base, limit: 8, appliedBatchSize: 3, lastUpdateAt: NOW + 5_000 };
    expect(settleMapping(s, NOW, 60_000, 10).action.type).to.equal("keep");
  });

  it("the demo's rule follows every change of the limit exactly", () => {
    expect(followLimit({ ...base, limit: 4 }, NOW)).to.deep.equal({
      state: { ...base, limit: 4, appliedBatchSize: 4, lastUpdateAt: NOW },
      action: { type: "resize", batchSize: 4 },
    });
    expect(followLimit(base, NOW).action.type).to.equal("keep");
  });
});
