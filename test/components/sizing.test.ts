import { expect } from "chai";
import fc from "fast-check";
import * as path from "node:path";
import {
  breakerAlarmMinutes,
  breakerAlarmWindow,
  fanOutWaves,
  iteratorAgeAlarmMs,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  maximumRecordAgeSeconds,
  maximumRetryAttempts,
  rateExpression,
  ventilatorTimeoutSeconds,
  workerLambdaTimeoutSeconds,
} from "../../components/sizing";
import { loadCatalog } from "../../runtime/catalog/load";
import { findProvider, type Provider } from "../../runtime/catalog/provider";
import { adaptiveControllerSchema, stepControllerSchema } from "../../runtime/catalog/schema";

const catalog = loadCatalog(path.join(__dirname, "..", "..", "providers.json"));
const shipped = (id: string) => findProvider(catalog, id)!;
const worker = (timeoutSeconds: number) => ({ worker: { ...shipped("demo").worker, timeoutSeconds } }) as Pick<Provider, "worker">;
const adaptive = (breaker: { baseIntervalMinutes: number; maxIntervalMinutes: number }) => ({
  controller: adaptiveControllerSchema.parse({ strategy: "adaptive", breaker }),
});
const step = () => ({ controller: stepControllerSchema.parse({ strategy: "step" }) });

describe("components/sizing", () => {
  it("gives the worker Lambda a few seconds past the provider call timeout, within Lambda's 900 s", () => {
    for (const [catalogTimeout, lambdaTimeout] of [
      [1, 6],
      [30, 35],
      [90, 95],
      [896, 900],
      [900, 900],
    ] as const) {
      expect(workerLambdaTimeoutSeconds(worker(catalogTimeout)), `${catalogTimeout}`).to.equal(lambdaTimeout);
    }
  });

  it("counts the waves of worker calls a batch needs", () => {
    for (const [batch, fanOut, waves] of [
      [1, 1, 1],
      [10, 1, 10],
      [10, 3, 4],
      [10, 10, 1],
      [4, 8, 1],
    ] as const) {
      expect(fanOutWaves(batch, fanOut), `${batch}/${fanOut}`).to.equal(waves);
    }
    expect(() => fanOutWaves(0, 1)).to.throw(RangeError);
  });

  it("sizes the ventilator for maxFanOut waves of worker timeouts plus overhead, capped at 900 s", () => {
    expect(ventilatorTimeoutSeconds(shipped("demo"))).to.equal(10 * 35 + 30);
    expect(ventilatorTimeoutSeconds(shipped("meridian-funds"))).to.equal(4 * 95 + 30);
    expect(ventilatorTimeoutSeconds(shipped("pacific-registry"))).to.equal(4 * 125 + 30);
    expect(ventilatorTimeoutSeconds({ ...worker(90), maxFanOut: 100 })).to.equal(900);
  });

  it("never gives the ventilator less time than one worker call, nor more than 900 s (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 1, max: 10_000 }), (timeout, maxFanOut) => {
        const v = ventilatorTimeoutSeconds({ ...worker(timeout), maxFanOut });
        return v <= LAMBDA_MAX_TIMEOUT_SECONDS && v >= Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, workerLambdaTimeoutSeconds(worker(timeout)));
      }),
    );
  });

  it("lets the mapping give up on a record only when the stream would drop it, within AWS's 7 days", () => {
    for (const [hours, seconds] of [
      [24, 86_400],
      [38, 136_800],
      [168, 604_800],
      [8_760, 604_800],
    ] as const) {
      expect(maximumRecordAgeSeconds({ streamRetentionHours: hours }), `${hours} h`).to.equal(seconds);
    }
  });

  it("leaves mapping retries to the record age: hand-backs are not record failures", () => {
    expect(maximumRetryAttempts()).to.equal(10_000);
  });

  it("writes EventBridge rate expressions, singular for one minute", () => {
    expect(rateExpression(1)).to.equal("rate(1 minute)");
    expect(rateExpression(10)).to.equal("rate(10 minutes)");
    expect(() => rateExpression(0)).to.throw(RangeError);
    expect(() => rateExpression(2.5)).to.throw(RangeError);
  });

  it("alarms on the breaker after three failed half-open probes", () => {
    expect(breakerAlarmMinutes(adaptive({ baseIntervalMinutes: 10, maxIntervalMinutes: 160 }), 10)).to.equal(10 + 20 + 40);
    expect(breakerAlarmMinutes(adaptive({ baseIntervalMinutes: 10, maxIntervalMinutes: 15 }), 10)).to.equal(10 + 15 + 15);
    expect(breakerAlarmMinutes(step(), 10)).to.equal(30);
    expect(breakerAlarmMinutes(step(), 5)).to.equal(15);
  });

  it("evaluates the breaker alarm per re-arm tick, at least every 5 minutes", () => {
    const p = adaptive({ baseIntervalMinutes: 10, maxIntervalMinutes: 160 });
    expect(breakerAlarmWindow(p, 10)).to.deep.equal({ periodSeconds: 600, evaluationPeriods: 7 });
    expect(breakerAlarmWindow(p, 1)).to.deep.equal({ periodSeconds: 300, evaluationPeriods: 14 });
    expect(breakerAlarmWindow(step(), 60)).to.deep.equal({ periodSeconds: 3_600, evaluationPeriods: 3 });
  });

  it("alarms on iterator age past the longest planned pause, before records near expiry", () => {
    const always = { longestClosedMinutes: 0, streamRetentionHours: 24 };
    expect(iteratorAgeAlarmMs(always)).to.equal(3_600_000);
    expect(iteratorAgeAlarmMs({ longestClosedMinutes: 600, streamRetentionHours: 34 })).to.equal((600 * 60 + 3_600) * 1000);
    // A daily limit can pause a whole day: then the cap at 80 % of the record age decides.
    expect(iteratorAgeAlarmMs({ ...always, dailyRequestLimit: 1_000 })).to.equal(0.8 * 86_400 * 1000);
    const meridian = shipped("meridian-funds");
    expect(iteratorAgeAlarmMs(meridian)).to.be.below(maximumRecordAgeSeconds(meridian) * 1000);
    expect(iteratorAgeAlarmMs(meridian)).to.be.above(meridian.longestClosedMinutes * 60 * 1000);
  });
});
