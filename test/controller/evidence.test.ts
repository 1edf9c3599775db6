import { expect } from "chai";
import fc from "fast-check";
import {
  acted,
  actedOnLoad,
  BASELINE_CALLS,
  calm,
  freshEvidence,
  hypotheses,
  learn,
  PRIORS,
  THRESHOLDS,
  weigh,
  type Evidence,
  type EvidenceSettings,
} from "../../runtime/controller/evidence";
import type { CallSample } from "../../runtime/controller/types";
import { calls, THRESHOLD_MS } from "./fixtures";

const settings: EvidenceSettings = { latencyThresholdMs: THRESHOLD_MS, errorRateThreshold: 0.5 };
const fired = (pattern: string, e: Evidence = freshEvidence(), s = settings) => weigh(e, calls(pattern), s).fired;

/** A provider's calls drawn with given shares, deterministic per seed. */
function provider(seed: number, n: number, shares: { error?: number; slow?: number; throttle?: number }): CallSample[] {
  let x = seed >>> 0 || 1;
  const next = () => ((x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  return Array.from({ length: n }, () => {
    const u = next();
    if (u < (shares.error ?? 0)) return { latencyMs: 50, outcome: "error" as const };
    if (u < (shares.error ?? 0) + (shares.throttle ?? 0)) return { latencyMs: 20, outcome: "throttled" as const };
    const slow = next() < (shares.slow ?? 0);
    return { latencyMs: slow ? THRESHOLD_MS * 3 : THRESHOLD_MS / 5, outcome: "ok" as const };
  });
}

/** Feeds calls wave by wave, as the mechanics do: a fired test is acted on, a quiet wave is learned from. */
function run(samples: readonly CallSample[], wave: number, s = settings): { fires: Record<string, number>; evidence: Evidence } {
  let e = freshEvidence();
  const fires: Record<string, number> = {};
  for (let i = 0; i < samples.length; i += wave) {
    const chunk = samples.slice(i, i + wave);
    const w = weigh(e, chunk, s);
    if (w.fired) {
      fires[w.fired] = (fires[w.fired] ?? 0) + 1;
      e = acted(w.evidence);
    } else e = calm(w.evidence) ? learn(w.evidence, chunk, s.latencyThresholdMs) : w.evidence;
  }
  return { fires, evidence: e };
}

describe("controller/evidence", () => {
  describe("one call is never a verdict", () => {
    for (const c of ["e", "x", "s", "eo", "so"]) {
      it(`"${c}" fires no test on a fresh provider`, () => expect(fired(c)).to.equal(null));
    }
    it("but one throttle is: 429 is the provider saying it is busy", () => expect(fired("t")).to.equal("throttle"));
  });

  describe("a provider failing most calls is down within a few", () => {
    const cases: { calls: string; test: string | null }[] = [
      { calls: "eeeee", test: null },
      { calls: "eeeeee", test: "down" },
      { calls: "xxxxxx", test: "down" },
      { calls: "eeeoeeeee", test: "errors" },
    ];
    for (const c of cases) it(`${c.calls} → ${c.test ?? "no verdict"}`, () => expect(fired(c.calls)).to.equal(c.test));

    it("the decrease an outage's first errors cause does not hide it: down goes on counting", () => {
      const first = weigh(freshEvidence(), calls("eeeoeeeee"), settings);
      expect(first.fired).to.equal("errors");
      expect(weigh(actedOnLoad(first.evidence, 1), calls("ee"), settings).fired).to.equal("down");
    });
  });

  it("a run of errors from a provider failing 10 % of calls is not an outage (overloads answer with errors)", () => {
    for (let seed = 1; seed <= 20; seed++) expect(run(provider(seed, 2_000, { error: 0.1, throttle: 0.05 }), 10).fires.down ?? 0, `seed ${seed}`).to.equal(0);
  });

  it("struggles when most calls are bad, around errorRateThreshold", () => {
    expect(fired("ssssssssssssssssssssssssss")).to.equal("struggle");
    expect(fired("sosososososososososososososososososo")).to.equal(null);
    const strict = { ...settings, errorRateThreshold: 0.2 };
    expect(weigh(freshEvidence(), calls("soo".repeat(30)), strict).fired).to.equal("struggle");
    expect(weigh(freshEvidence(), calls("soooooo".repeat(30)), strict).fired).to.equal(null);
  });

  it("learns a slow tail and a steady error rate as the provider's normal: no test fires", () => {
    const { fires, evidence } = run(provider(7, 20_000, { error: 0.03, slow: 0.2 }), 10);
    expect(fires).to.deep.equal({});
    expect(evidence.failShare).to.be.closeTo(0.03, 0.015);
    expect(evidence.badShare).to.be.closeTo(0.03 + 0.97 * 0.2, 0.04);
  });

  it("does not learn an outage's failures as the provider's normal, so it still calls it down", () => {
    let e = freshEvidence();
    let fired = null;
    for (const call of calls("e".repeat(20))) {
      const w = weigh(e, [call], settings);
      fired = w.fired;
      if (fired) break;
      e = calm(w.evidence) ? learn(w.evidence, [call], THRESHOLD_MS) : w.evidence;
    }
    expect(fired).to.equal("down");
    expect(e.failShare).to.be.below(0.05);
  });

  it("fires 'errors' when errors rise well above the provider's own rate", () => {
    const normal = run(provider(3, 3_000, { error: 0.01 }), 10).evidence;
    expect(weigh(normal, provider(4, 400, { error: 0.12 }), settings).fired).to.equal("errors");
  });

  it("baselines forget beyond BASELINE_CALLS calls and never fall below the priors", () => {
    const clean = learn(freshEvidence(), provider(1, BASELINE_CALLS * 4, {}), THRESHOLD_MS);
    expect(clean).to.include({ failShare: PRIORS.failShare, throttleShare: PRIORS.throttleShare, badShare: PRIORS.badShare });
    const noisy = learn(clean, provider(2, BASELINE_CALLS * 4, { error: 0.2 }), THRESHOLD_MS);
    expect(noisy.failShare).to.be.closeTo(0.2, 0.04);
  });

  it("orders hypotheses so that every test's condition is above its normal", () => {
    fc.assert(
      fc.property(
        fc.record({ f: fc.double({ min: 0, max: 1, noNaN: true }), t: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }), tau: fc.double({ min: 0, max: 1, noNaN: true }) }),
        ({ f, t, b, tau }) => {
          const h = hypotheses({ ...freshEvidence(), failShare: f, throttleShare: t, badShare: b }, tau);
          for (const { p0, p1 } of Object.values(h)) {
            expect(p0).to.be.greaterThan(0).and.lessThan(1);
            expect(p1).to.be.greaterThan(p0).and.lessThan(1);
          }
        },
      ),
    );
  });

  it("keeps every statistic finite and non-negative, and acting on it starts them afresh", () => {
    const outcome = fc.constantFrom("ok", "error", "throttled", "timeout" as const);
    fc.assert(
      fc.property(fc.array(fc.record({ latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }), outcome }), { maxLength: 200 }), (samples) => {
        const { evidence } = weigh(freshEvidence(), samples as CallSample[], settings);
        for (const k of ["down", "struggle", "throttle", "errors"] as const) expect(evidence[k]).to.be.at.least(0).and.be.finite;
        expect(acted(evidence)).to.include({ down: 0, struggle: 0, throttle: 0, errors: 0 });
      }),
    );
  });

  it("stops at the call that fires and reports how many it used", () => {
    const w = weigh(freshEvidence(), calls("ootoo"), settings);
    expect(w).to.include({ fired: "throttle", used: 3 });
    expect(w.evidence.throttle).to.be.at.least(THRESHOLDS.throttle);
  });
});
