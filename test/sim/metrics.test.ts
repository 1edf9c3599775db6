import { expect } from "chai";
import { validateProvider } from "../../runtime/catalog/validate";
import { busySpans, countBetween, detectSeconds, goodput, recoverSeconds, type RunFacts } from "../../sim/metrics";
import { Oracle } from "../../sim/oracle";
import { constant } from "../../sim/time-profile";
import { Recorder } from "../../sim/recorder";
import { budgetSpentSpans, runScenario } from "../../sim/run";
import { T0, tinyScenario } from "./fixtures";

const S = 1_000;

describe("sim/metrics on tiny runs checked by hand", () => {
  it("4 records, capacity 4, every call 100 ms: all done at 100 ms, as fast as the oracle", async () => {
    const run = await runScenario({ scenario: tinyScenario(), controller: "step", seed: 1 });
    expect(run.end - run.start).to.equal(100);
    expect(run.metrics).to.deep.equal({
      scenario: "tiny",
      controller: "step",
      goodput: 1,
      waste: 0,
      detectS: null,
      recoverS: null,
      updatesPerHour: 0,
      duplicates: 0,
      lost: 0,
      maxRecordAgeS: 0.1,
      breakerOpens: 0,
      falseOpens: 0,
    });
  });

  it("capacity 2: the third and fourth calls overload the provider (waste 2) and queue (150 and 200 ms)", async () => {
    const scenario = tinyScenario({
      model: { capacity: 2, latency: { medianMs: 100, sigma: 0 }, errorShare: 0, overload: { throttleShare: 0, errorShare: 0, latencyExponent: 1 } },
    });
    const run = await runScenario({ scenario, controller: "step", seed: 1 });
    expect([...run.recorder.finished.values()].map((f) => f.at - T0).sort((a, b) => a - b)).to.deep.equal([100, 100, 150, 200]);
    // The oracle runs 2 calls of 100 ms: 20 per second, 4 in the 200 ms the run took.
    expect(run.metrics).to.include({ waste: 2, goodput: 1, maxRecordAgeS: 0.2, lost: 0 });
  });

  it("counts records not done by the horizon as lost", async () => {
    const run = await runScenario({ scenario: tinyScenario({ horizonHours: 0.00001 }), controller: "adaptive", seed: 1 });
    expect(run.endReason).to.equal("horizon");
    expect(run.metrics).to.include({ lost: 4, goodput: 0, maxRecordAgeS: null });
  });
});

describe("sim/metrics definitions", () => {
  const provider = validateProvider({ id: "acme", maxConcurrency: 1, worker: { module: "chaos" } });
  /** One call in flight of exactly 1 s: the oracle completes one call per second. */
  const oracle = new Oracle(
    { capacity: constant(1), latency: { medianMs: constant(1_000), sigma: 0 }, errorShare: 0, throttleShare: 0, overload: { throttleShare: 0, errorShare: 0, latencyExponent: 1 }, outages: [], enforceDailyLimit: false },
    provider,
    T0,
    T0 + 3_600 * S,
  );

  function facts(extra: Partial<RunFacts>, recorder = new Recorder(T0, () => T0)): RunFacts {
    return { scenario: "s", controller: "c", start: T0, end: T0 + 600 * S, recorder, enqueuedAt: new Map(), outages: [], heals: [], mappingRequests: 0, duplicates: 0, ...extra };
  }

  it("detectS: from the outage's start to the first saved state with the breaker open or the limit at 1", () => {
    const r = new Recorder(T0, () => T0);
    r.controller.push(
      { at: T0 + 50 * S, limit: 10, mappingBatchSize: 10, breaker: "closed", paused: null },
      { at: T0 + 110 * S, limit: 7, mappingBatchSize: 10, breaker: "closed", paused: null },
      { at: T0 + 130 * S, limit: 1, mappingBatchSize: 10, breaker: "closed", paused: null },
      { at: T0 + 140 * S, limit: 1, mappingBatchSize: 10, breaker: "open", paused: null },
    );
    expect(detectSeconds(facts({ outages: [{ from: T0 + 100 * S, to: T0 + 200 * S }] }, r))).to.equal(30);
    // Already detected when the second outage starts; the third is never detected: its length.
    const outages = [
      { from: T0 + 100 * S, to: T0 + 200 * S },
      { from: T0 + 150 * S, to: T0 + 160 * S },
    ];
    expect(detectSeconds(facts({ outages }, r))).to.equal((30 + 0) / 2);
    expect(detectSeconds(facts({ outages: [{ from: T0, to: T0 + 40 * S }] }, r))).to.equal(40);
    expect(detectSeconds(facts({}, r))).to.equal(null);
  });

  it("recoverS: the first 60 s window after the last heal with 90 % of the oracle's successes", () => {
    const r = new Recorder(T0, () => T0);
    // Nothing for 60 s after the heal at 0, then one success per second (the oracle's pace).
    for (let t = 60; t < 600; t++) r.successTimes.push(T0 + t * S + 500);
    expect(recoverSeconds(facts({ heals: [T0 + 1] }, r), oracle)).to.equal(60);
    expect(recoverSeconds(facts({ heals: [T0 - 5] }, r), oracle)).to.equal(null);
    // Half the oracle's pace never gets there: the time to the run's end.
    const slow = new Recorder(T0, () => T0);
    for (let t = 0; t < 600; t += 2) slow.successTimes.push(T0 + t * S);
    expect(recoverSeconds(facts({ heals: [T0 + 100 * S] }, slow), oracle)).to.equal(500);
  });

  it("goodput integrates the oracle only while the run had unfinished records", () => {
    const r = new Recorder(T0, () => T0);
    r.finished.set("a", { status: "done", at: T0 + 100 * S });
    r.finished.set("b", { status: "done", at: T0 + 400 * S });
    const enqueuedAt = new Map([
      ["a", T0],
      ["b", T0 + 300 * S],
    ]);
    expect(busySpans(facts({ enqueuedAt }, r))).to.deep.equal([
      { start: T0, end: T0 + 100 * S },
      { start: T0 + 300 * S, end: T0 + 400 * S },
    ]);
  });

  it("goodput leaves out the time the run sat paused on its spent daily budget", () => {
    const r = new Recorder(T0, () => T0);
    r.finished.set("a", { status: "done", at: T0 + 300 * S });
    for (let t = 0; t < 100; t++) r.successTimes.push(T0 + t * S);
    const enqueuedAt = new Map([["a", T0]]);
    // 100 successes in 300 s of oracle time (1/s) is 1/3; with 200 s of it paused on the budget, 1.
    expect(goodput(facts({ enqueuedAt, end: T0 + 300 * S }, r), oracle)).to.be.closeTo(1 / 3, 1e-9);
    expect(goodput(facts({ enqueuedAt, end: T0 + 300 * S, budgetSpent: [{ from: T0 + 100 * S, to: T0 + 300 * S }] }, r), oracle)).to.be.closeTo(1, 1e-9);
  });

  it("turns a run's daily-limit pauses into spans ending with their provider day", () => {
    const at = (iso: string) => Date.parse(iso);
    const points = [
      { at: at("2026-03-02T20:00:00Z"), limit: 5, mappingBatchSize: 5, breaker: "closed" as const, paused: null },
      { at: at("2026-03-02T20:13:00Z"), limit: 5, mappingBatchSize: 5, breaker: "closed" as const, paused: "daily-limit" },
      { at: at("2026-03-03T00:10:00Z"), limit: 5, mappingBatchSize: 5, breaker: "closed" as const, paused: null },
    ];
    expect(budgetSpentSpans(points, "UTC", at("2026-03-03T01:00:00Z"))).to.deep.equal([{ from: at("2026-03-02T20:13:00Z"), to: at("2026-03-03T00:00:00Z") }]);
  });

  it("counts sorted instants in [a, b)", () => {
    const times = [1, 2, 2, 5, 9];
    expect(countBetween(times, 2, 5)).to.equal(2);
    expect(countBetween(times, 0, 100)).to.equal(5);
    expect(countBetween(times, 9, 9)).to.equal(0);
  });
});
