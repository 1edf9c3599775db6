import { expect } from "chai";
import fc from "fast-check";
import { validateProvider } from "../../runtime/catalog/validate";
import { constant } from "../../sim/time-profile";
import { LATENCY_MAX_MS, LATENCY_MIN_MS, ProviderModel, type ProviderModelSpec } from "../../sim/provider-model";
import { mulberry32 } from "../../sim/rng";
import { T0 } from "./fixtures";

const MINUTE = 60_000;
const provider = (extra: Record<string, unknown> = {}) =>
  validateProvider({ id: "acme", maxConcurrency: 50, latencyThresholdMs: 5_000, worker: { module: "chaos", timeoutSeconds: 90 }, ...extra });

function spec(extra: Partial<ProviderModelSpec> = {}): ProviderModelSpec {
  return {
    capacity: constant(10),
    latency: { medianMs: constant(300), sigma: 1.2 },
    errorShare: 0,
    throttleShare: 0,
    overload: { throttleShare: 0.5, errorShare: 0.2, latencyExponent: 1 },
    outages: [],
    enforceDailyLimit: true,
    ...extra,
  };
}

/** `n` calls started one after another with `held` calls kept in flight throughout. */
function burst(model: ProviderModel, n: number, held: number, at = T0) {
  const holding = Array.from({ length: held }, (_, i) => model.start(at, `hold-${i}`));
  const calls = Array.from({ length: n }, (_, i) => {
    const c = model.start(at, `r${i}`);
    model.finish(c);
    return c;
  });
  holding.forEach((c) => model.finish(c));
  return calls;
}

describe("sim/provider-model", () => {
  it("answers every call within [5 ms, 70 s], whatever the median, spread and load", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.double({ min: 5, max: 70_000, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 40 }),
        (seed, median, sigma, held) => {
          const model = new ProviderModel(spec({ latency: { medianMs: constant(median), sigma } }), provider(), T0, mulberry32(seed));
          for (const c of burst(model, 20, held)) {
            expect(c.latencyMs).to.be.within(LATENCY_MIN_MS, LATENCY_MAX_MS);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("has a heavy right tail: the mean is well above the median and some calls take seconds", () => {
    const model = new ProviderModel(spec(), provider(), T0, mulberry32(5));
    const latencies = burst(model, 20_000, 0).map((c) => c.latencyMs);
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[10_000]).to.be.closeTo(300, 20);
    expect(mean).to.be.greaterThan(1.8 * 300);
    expect(sorted[19_900]).to.be.greaterThan(4_000);
  });

  it("slows calls down and fails or throttles more of them once load exceeds capacity", () => {
    const within = burst(new ProviderModel(spec(), provider(), T0, mulberry32(9)), 4_000, 5);
    const over = burst(new ProviderModel(spec(), provider(), T0, mulberry32(9)), 4_000, 29);
    const okLatency = (cs: typeof within) => {
      const ok = cs.filter((c) => c.outcome === "ok").map((c) => c.latencyMs).sort((a, b) => a - b);
      return ok[Math.floor(ok.length / 2)]!;
    };
    const failed = (cs: typeof within) => cs.filter((c) => c.outcome !== "ok").length / cs.length;
    expect(okLatency(over)).to.be.greaterThan(2.5 * okLatency(within));
    expect(failed(within)).to.equal(0);
    // 29 held + the call itself = 30 in flight over 10: throttled or failed with p = (0.5 + 0.2) × (1 − 10/30).
    expect(failed(over)).to.be.closeTo(0.7 * (1 - 10 / 30), 0.03);
    expect(over.every((c) => c.wasted && c.inFlight > c.capacity)).to.equal(true);
    expect(within.some((c) => c.wasted)).to.equal(false);
  });

  it("fails every call during an outage: fast errors, or hangs until the worker times out", () => {
    const outages = [
      { fromMinute: 10, toMinute: 20, mode: "error" as const },
      { fromMinute: 30, toMinute: 40, mode: "timeout" as const },
    ];
    const model = new ProviderModel(spec({ outages }), provider(), T0, mulberry32(1));
    const errors = burst(model, 50, 0, T0 + 15 * MINUTE);
    expect(errors.every((c) => c.outcome === "error" && c.latencyMs < 1_000 && c.down === "outage" && c.wasted)).to.equal(true);
    const hangs = burst(model, 5, 0, T0 + 35 * MINUTE);
    expect(hangs.every((c) => c.outcome === "timeout" && c.latencyMs === 90_000)).to.equal(true);
    expect(burst(model, 50, 0, T0 + 20 * MINUTE).every((c) => c.down === null)).to.equal(true);
  });

  it("is down in the catalog's maintenance window", () => {
    // 2026-03-01 is a Sunday.
    const p = provider({ maintenanceWindows: [{ day: "sun", start: "01:00", end: "02:00" }] });
    const model = new ProviderModel(spec(), p, Date.parse("2026-03-01T00:30:00Z"), mulberry32(1));
    expect(model.downAt(Date.parse("2026-03-01T00:59:59Z"))).to.equal(null);
    expect(model.downAt(Date.parse("2026-03-01T01:30:00Z"))).to.equal("maintenance");
    expect(model.downAt(Date.parse("2026-03-01T02:00:00Z"))).to.equal(null);
  });

  it("throttles calls past the daily request limit until the provider day ends", () => {
    const start = Date.parse("2026-03-02T23:00:00Z");
    const model = new ProviderModel(spec(), provider({ dailyRequestLimit: 30 }), start, mulberry32(1));
    const today = burst(model, 40, 0, start);
    expect(today.slice(0, 30).every((c) => c.down === null)).to.equal(true);
    expect(today.slice(30).every((c) => c.outcome === "throttled" && c.down === "daily-limit")).to.equal(true);
    expect(model.downAt(Date.parse("2026-03-03T00:00:00Z"))).to.equal(null);
  });

  it("counts records fetched successfully more than once", () => {
    const model = new ProviderModel(spec(), provider(), T0, mulberry32(1));
    for (const id of ["a", "b", "a", "c", "a", "b"]) model.finish(model.start(T0, id));
    expect(model.duplicates()).to.equal(2);
  });
});
