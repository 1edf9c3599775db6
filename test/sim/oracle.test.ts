import { expect } from "chai";
import { validateProvider } from "../../runtime/catalog/validate";
import { meanClippedLatency, normalCdf, Oracle } from "../../sim/oracle";
import { constant } from "../../sim/time-profile";
import { clipLatency, type ProviderModelSpec } from "../../sim/provider-model";
import { mulberry32, normal } from "../../sim/rng";
import { T0 } from "./fixtures";

const MINUTE = 60_000;
const provider = (extra: Record<string, unknown> = {}) => validateProvider({ id: "acme", maxConcurrency: 10, worker: { module: "chaos" }, ...extra });
const spec = (extra: Partial<ProviderModelSpec> = {}): ProviderModelSpec => ({
  capacity: constant(10),
  latency: { medianMs: constant(100), sigma: 0 },
  errorShare: 0,
  throttleShare: 0,
  overload: { throttleShare: 0.5, errorShare: 0.2, latencyExponent: 1 },
  outages: [],
  enforceDailyLimit: true,
  ...extra,
});

describe("sim/oracle", () => {
  it("uses the standard normal CDF", () => {
    expect(normalCdf(0)).to.be.closeTo(0.5, 1e-7);
    expect(normalCdf(1.959964)).to.be.closeTo(0.975, 1e-6);
    expect(normalCdf(-1)).to.be.closeTo(0.158655, 1e-6);
  });

  it("takes the mean of the clipped log-normal latency (checked against sampling)", () => {
    for (const [median, sigma] of [
      [300, 1.2],
      [20_000, 2],
      [8, 1.5],
    ] as const) {
      const r = mulberry32(11);
      let sum = 0;
      const n = 200_000;
      for (let i = 0; i < n; i++) sum += clipLatency(median * Math.exp(sigma * normal(r)));
      expect(meanClippedLatency(median, sigma)).to.be.closeTo(sum / n, (sum / n) * 0.02);
    }
    expect(meanClippedLatency(250, 0)).to.equal(250);
  });

  it("completes capacity ÷ mean latency calls per second (Little's law)", () => {
    const oracle = new Oracle(spec(), provider(), T0, T0 + 10 * MINUTE);
    expect(oracle.rateAt(T0)).to.equal(100);
    expect(oracle.successesBetween(T0, T0 + MINUTE)).to.be.closeTo(6_000, 1e-6);
    expect(oracle.completionTime(3_000)).to.be.closeTo(T0 + 30_000, 1e-6);
  });

  it("never runs more calls than the contractual cap, whatever the true capacity", () => {
    const oracle = new Oracle(spec({ capacity: constant(40) }), provider(), T0, T0 + MINUTE);
    expect(oracle.rateAt(T0)).to.equal(100);
  });

  it("makes no calls during an outage, and counts successes only", () => {
    const oracle = new Oracle(spec({ outages: [{ fromMinute: 1, toMinute: 2, mode: "error" }], errorShare: 0.1 }), provider(), T0, T0 + 3 * MINUTE);
    expect(oracle.successesBetween(T0 + MINUTE, T0 + 2 * MINUTE)).to.equal(0);
    expect(oracle.successesBetween(T0, T0 + MINUTE)).to.be.closeTo(5_400, 1e-6);
  });

  it("as a run of its own, spends at most the daily limit per provider day and notes when the budget comes back", () => {
    const start = Date.parse("2026-03-02T23:50:00Z");
    const midnight = Date.parse("2026-03-03T00:00:00Z");
    const oracle = new Oracle(spec(), provider({ dailyRequestLimit: 1_000 }), start, start + 20 * MINUTE);
    expect(oracle.completionTime(1_000)).to.be.closeTo(start + 10_000, 1e-6);
    expect(oracle.completionTime(1_500)).to.be.closeTo(midnight + 5_000, 1e-6);
    expect(oracle.completionTime(2_001)).to.equal(null);
    expect(oracle.budgetResets).to.deep.equal([midnight]);
  });

  it("counts what was possible at any instant without the daily limit (runs are judged only while allowed)", () => {
    const start = Date.parse("2026-03-02T23:50:00Z");
    const oracle = new Oracle(spec(), provider({ dailyRequestLimit: 1_000 }), start, start + 20 * MINUTE);
    expect(oracle.successesBetween(start, start + 10 * MINUTE)).to.be.closeTo(60_000, 1e-6);
  });

  it("makes no calls while the catalog's windows are closed, and notes when they reopen", () => {
    const start = Date.parse("2026-03-01T00:30:00Z");
    const p = provider({ maintenanceWindows: [{ day: "sun", start: "01:00", end: "02:00" }] });
    const oracle = new Oracle(spec(), p, start, start + 120 * MINUTE);
    expect(oracle.successesBetween(start + 30 * MINUTE, start + 90 * MINUTE)).to.equal(0);
    expect(oracle.windowOpenings).to.deep.equal([Date.parse("2026-03-01T02:00:00Z")]);
  });
});
