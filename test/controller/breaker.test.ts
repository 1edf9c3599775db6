import { expect } from "chai";
import { closeBreaker, doublingWaitMs, openBreaker, PROBE_SLACK_MS, probeIfDue } from "../../runtime/controller/breaker";
import { BREAKER, type ControllerState } from "../../runtime/controller/types";

const NOW = 1_700_000_000_000;
const closed: ControllerState = {
  strategy: "adaptive",
  limit: 1,
  mappingBatchSize: 3,
  lastGoodLimit: 2,
  lastDecreaseAt: NOW - 1,
  lastUpdateAt: null,
  breaker: { status: BREAKER.CLOSED },
};

describe("controller/breaker", () => {
  const waits: { trips: number; minutes: number }[] = [
    { trips: 1, minutes: 10 },
    { trips: 2, minutes: 20 },
    { trips: 3, minutes: 40 },
    { trips: 5, minutes: 160 },
    { trips: 6, minutes: 160 },
    { trips: 40, minutes: 160 },
  ];
  for (const w of waits) {
    it(`waits ${w.minutes} min after trip ${w.trips} (base 10, cap 160)`, () => {
      expect(doublingWaitMs(w.trips, 10, 160)).to.equal(w.minutes * 60_000);
    });
  }

  it("opening from closed is the first trip; the mapping keeps its batch size while disabled", () => {
    const d = openBreaker(closed, NOW, (trips) => trips * 1000);
    expect(d.action).to.deep.equal({ type: "open-breaker", nextProbeAt: NOW + 1000 });
    expect(d.state).to.deep.equal({
      ...closed,
      lastUpdateAt: NOW,
      breaker: { status: BREAKER.OPEN, openedAt: NOW, nextProbeAt: NOW + 1000, trips: 1 },
    });
  });

  it("re-opening from half-open adds a trip and counts the wait from the probe's start (its tick)", () => {
    const half = { ...closed, breaker: { status: BREAKER.HALF_OPEN, since: NOW - 5, goodProbes: 1, trips: 2 } } as const;
    expect(openBreaker(half, NOW, (trips) => trips * 1000).state.breaker).to.deep.equal({
      status: BREAKER.OPEN,
      openedAt: NOW,
      nextProbeAt: NOW - 5 + 3000,
      trips: 3,
    });
  });

  it("a probe that outlasted the wait is due again at once, never in the past", () => {
    const half = { ...closed, breaker: { status: BREAKER.HALF_OPEN, since: NOW - 90_000, goodProbes: 0, trips: 1 } } as const;
    expect(openBreaker(half, NOW, () => 60_000).state.breaker).to.include({ nextProbeAt: NOW });
  });

  it("probes from PROBE_SLACK_MS before it is due and keeps the trip count", () => {
    const open = openBreaker(closed, NOW, () => 10 * 60_000).state;
    const due = NOW + 10 * 60_000 - PROBE_SLACK_MS;
    expect(probeIfDue(open, due - 1).action.type).to.equal("keep");
    const d = probeIfDue(open, due);
    expect(d.action.type).to.equal("probe");
    expect(d.state.breaker).to.deep.equal({ status: BREAKER.HALF_OPEN, since: due, goodProbes: 0, trips: 1 });
  });

  it("takes the tick that comes seconds before a wait of whole ticks ends (the probe re-opened just after a tick)", () => {
    const tick = 10 * 60_000;
    const reopenedAt = NOW + 9_000;
    const open = openBreaker(closed, reopenedAt, () => 2 * tick).state;
    expect(probeIfDue(open, NOW + 2 * tick).action.type).to.equal("probe");
  });

  it("a half-open breaker is not probed again by the schedule", () => {
    const half = probeIfDue(openBreaker(closed, NOW, () => 0).state, NOW).state;
    expect(probeIfDue(half, NOW + 10_000_000)).to.deep.equal({ state: half, action: { type: "keep" } });
  });

  it("closing sets limit and mapping to the restart size", () => {
    const d = closeBreaker({ ...closed, breaker: { status: BREAKER.HALF_OPEN, since: NOW, goodProbes: 3, trips: 1 } }, NOW, 2);
    expect(d.action).to.deep.equal({ type: "close", batchSize: 2 });
    expect(d.state).to.include({ limit: 2, mappingBatchSize: 2, lastUpdateAt: NOW });
    expect(d.state.breaker).to.deep.equal({ status: BREAKER.CLOSED });
  });
});
