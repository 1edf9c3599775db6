/**
 * Small scenarios for simulator tests: validated by the same schema as a
 * scenario file, with a provider entry validated by the catalog.
 */
import { validateScenario, type Scenario, type ScenarioInput } from "../../sim/simulation-scenario";

export const T0_ISO = "2026-03-02T08:00:00Z";
export const T0 = Date.parse(T0_ISO);

export const TINY_PROVIDER = {
  id: "tiny",
  maxConcurrency: 4,
  maxFanOut: 4,
  latencyThresholdMs: 1_000,
  worker: { module: "chaos", timeoutSeconds: 10 },
};

/** 4 records, capacity 4, every call exactly 100 ms and ok, no overheads: a run that can be checked by hand. */
export function tinyScenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  return validateScenario(
    {
      name: "tiny",
      start: T0_ISO,
      horizonHours: 2,
      provider: TINY_PROVIDER,
      backlog: [{ records: 4 }],
      model: { capacity: 4, latency: { medianMs: 100, sigma: 0 }, errorShare: 0 },
      mapping: { updateDelaySeconds: { min: 1, max: 1 }, pollIntervalMs: 1_000, batchGapMs: 0, invokeOverheadMs: 0 },
      ledger: { latencyMs: 0 },
      ...overrides,
    },
    "test scenario",
  );
}

/** A reduced version of the healthy built-in: heavy-tailed latency, 600 records. */
export function smallHealthy(): Scenario {
  return validateScenario(
    {
      name: "small-healthy",
      start: T0_ISO,
      horizonHours: 3,
      provider: { ...TINY_PROVIDER, id: "small", maxConcurrency: 10, maxFanOut: 10, latencyThresholdMs: 5_000, worker: { module: "chaos", timeoutSeconds: 75 } },
      backlog: [{ records: 600 }],
      model: { capacity: 10, latency: { medianMs: 300, sigma: 1.2 }, outages: [{ fromMinute: 0.2, toMinute: 1.2 }] },
    },
    "test scenario",
  );
}
