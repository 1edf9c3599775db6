import { expect } from "chai";
import fc from "fast-check";
import type { ChaosSettings } from "../../runtime/catalog/schema";
import { CHAOS_ENV } from "../../runtime/lambda-env";
import { ChaosFailure, chaosLatency, chaosOutcome, chaosWorker } from "../../runtime/workers/chaos/chaos";
import { ChaosEnvironmentError, chaosSettingsFromEnv } from "../../runtime/workers/chaos/env";
import { chaosEnvironment, handler, loadChaosWorker } from "../../runtime/workers/chaos/lambda";

/** mulberry32: a small seeded generator, so the share checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const settings = (s: Partial<ChaosSettings> = {}): ChaosSettings => ({
  baseLatencyMs: 50,
  slowPercentage: 0,
  slowMs: 2_000,
  errorPercentage: 0,
  throttlePercentage: 0,
  ...s,
});
const request = { providerId: "demo", recordId: "r-1", day: "2026-11-26" };

describe("chaos worker", () => {
  describe("chaosOutcome", () => {
    const table: [Partial<ChaosSettings>, number, string][] = [
      [{ errorPercentage: 10 }, 0.05, "error"],
      [{ errorPercentage: 10 }, 0.1, "ok"],
      [{ errorPercentage: 10, throttlePercentage: 5 }, 0.12, "throttled"],
      [{ errorPercentage: 10, throttlePercentage: 5 }, 0.15, "ok"],
      [{ throttlePercentage: 100 }, 0.999, "throttled"],
      [{ errorPercentage: 100, throttlePercentage: 100 }, 0.999, "error"],
      [{}, 0, "ok"],
    ];
    for (const [s, draw, expected] of table) {
      it(`is ${expected} for draw ${draw} with ${JSON.stringify(s)}`, () => expect(chaosOutcome(settings(s), draw)).to.equal(expected));
    }
  });

  describe("chaosLatency", () => {
    it("is slowMs when the slow draw falls in slowPercentage", () => {
      expect(chaosLatency(settings({ slowPercentage: 20 }), 0.19, 0.5)).to.deep.equal({ latencyMs: 2_000, slow: true });
    });
    it("is baseLatencyMs within ±10 % otherwise", () => {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 0, max: 10_000 }), (jitter, base) => {
          const { latencyMs, slow } = chaosLatency(settings({ baseLatencyMs: base, slowPercentage: 0 }), 0.5, jitter);
          expect(slow).to.equal(false);
          expect(latencyMs).to.be.within(Math.floor(base * 0.9), Math.ceil(base * 1.1));
        }),
      );
    });
  });

  it("respects every percentage over 20,000 seeded calls, throwing on errors", async () => {
    const s = settings({ slowPercentage: 20, errorPercentage: 10, throttlePercentage: 5, slowMs: 1_500, baseLatencyMs: 40 });
    const slept: number[] = [];
    const worker = chaosWorker(s, { random: seeded(42), sleep: async (ms) => void slept.push(ms) });
    const counts = { ok: 0, throttled: 0, error: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      try {
        const r = await worker({ ...request, recordId: `r-${i}` });
        if (r.ok) counts.ok++;
        else {
          expect(r.kind).to.equal("throttled");
          counts.throttled++;
        }
      } catch (err) {
        expect(err).to.be.instanceOf(ChaosFailure);
        expect((err as Error).message).to.contain(`r-${i}`);
        counts.error++;
      }
    }
    expect(counts.error / n).to.be.closeTo(0.1, 0.01);
    expect(counts.throttled / n).to.be.closeTo(0.05, 0.01);
    expect(slept.filter((ms) => ms === 1_500).length / n).to.be.closeTo(0.2, 0.015);
    for (const ms of slept.filter((x) => x !== 1_500)) expect(ms).to.be.within(36, 44);
  });

  it("never fails with zero percentages and always throws at 100 % errors", async () => {
    const calm = chaosWorker(settings(), { random: seeded(1), sleep: async () => {} });
    for (let i = 0; i < 200; i++) expect((await calm(request)).ok).to.equal(true);
    const broken = chaosWorker(settings({ errorPercentage: 100 }), { random: seeded(2), sleep: async () => {} });
    for (let i = 0; i < 50; i++) {
      const err = await broken(request).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ChaosFailure);
    }
  });

  it("answers timeout at its own deadline rather than run into Lambda's timeout", async () => {
    const slept: number[] = [];
    const slow = chaosWorker(settings({ slowPercentage: 100, slowMs: 5_000 }), { random: seeded(3), sleep: async (ms) => void slept.push(ms), timeoutMs: 800 });
    expect(await slow({ providerId: "p", recordId: "r", day: "2097-01-07" })).to.deep.equal({ ok: false, kind: "timeout", reason: "chaos: no answer within 800 ms" });
    expect(slept).to.deep.equal([800]);
  });

  it("waits the latency before answering, throws included", async () => {
    const order: string[] = [];
    const worker = chaosWorker(settings({ errorPercentage: 100 }), { random: () => 0, sleep: async (ms) => void order.push(`slept ${ms}`) });
    await worker(request).catch(() => order.push("threw"));
    expect(order).to.deep.equal(["slept 45", "threw"]);
  });
});

describe("chaos worker environment", () => {
  const validSettings = fc.record({
    baseLatencyMs: fc.integer({ min: 0, max: 900_000 }),
    slowPercentage: fc.double({ min: 0, max: 100, noNaN: true }),
    slowMs: fc.integer({ min: 0, max: 900_000 }),
    errorPercentage: fc.double({ min: 0, max: 100, noNaN: true }),
    throttlePercentage: fc.double({ min: 0, max: 100, noNaN: true }),
  });

  it("round-trips any valid settings through the environment", () => {
    fc.assert(
      fc.property(validSettings, (s) => {
        expect(chaosSettingsFromEnv(chaosEnvironment(s))).to.deep.equal(s);
      }),
    );
  });

  it("uses the demo's variable names", () => {
    expect(chaosEnvironment(settings({ errorPercentage: 2 }))).to.deep.equal({
      BASE_LATENCY_MS: "50",
      SLOW_PERCENTAGE: "0",
      SLOW_MS: "2000",
      ERROR_PERCENTAGE: "2",
      THROTTLE_PERCENTAGE: "0",
    });
  });

  it("takes the catalog's defaults for unset or empty variables", () => {
    expect(chaosSettingsFromEnv({ [CHAOS_ENV.SLOW_MS]: "" })).to.deep.equal({
      baseLatencyMs: 50,
      slowPercentage: 0,
      slowMs: 2_000,
      errorPercentage: 0,
      throttlePercentage: 0,
    });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ["a value that is not a number", { ERROR_PERCENTAGE: "ten" }, /ERROR_PERCENTAGE must be a number, got "ten"/],
    ["a percentage above 100", { SLOW_PERCENTAGE: "150" }, /SLOW_PERCENTAGE 150: .*100/],
    ["a negative latency", { BASE_LATENCY_MS: "-5" }, /BASE_LATENCY_MS -5: .*0/],
    ["a fractional latency", { SLOW_MS: "1.5" }, /SLOW_MS 1\.5: /],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses ${name}, naming the variable`, () => {
      expect(() => chaosSettingsFromEnv(env)).to.throw(ChaosEnvironmentError, message);
    });
  }

  it("lists every bad variable at once", () => {
    try {
      chaosSettingsFromEnv({ SLOW_PERCENTAGE: "x", THROTTLE_PERCENTAGE: "y" });
      expect.fail("should throw");
    } catch (err) {
      expect((err as ChaosEnvironmentError).problems).to.have.length(2);
    }
  });

  it("loads the worker from the environment", () => {
    expect(loadChaosWorker({ ERROR_PERCENTAGE: "3" }).settings.errorPercentage).to.equal(3);
  });

  it("the Lambda handler throws (FunctionError) for an injected error", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { BASE_LATENCY_MS: "0", SLOW_PERCENTAGE: "0", ERROR_PERCENTAGE: "100", THROTTLE_PERCENTAGE: "0" });
    try {
      const err = await handler(request).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ChaosFailure);
    } finally {
      for (const key of Object.values(CHAOS_ENV)) if (saved[key] === undefined) delete process.env[key];
    }
  });
});
