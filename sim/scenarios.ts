/**
 * The built-in scenarios, as data validated by the same schema as a scenario
 * file. Every one shares the same provider entry (a catalog entry, defaults
 * left to the catalog) unless it says otherwise, and a backlog large enough to
 * outlast its incident, so every controller faces the same provider and records.
 */
import { DEFAULT_CONTROLLER, loadScenarioFile, validateScenario, type Scenario, type ScenarioInput } from "./simulation-scenario";
import { ScenarioError } from "./simulation-scenario";
import { existsSync } from "node:fs";

/** A provider with a contractual cap of 20 calls in flight, answering in 5 ms to 70 s. */
const PROVIDER = {
  id: "sim-provider",
  description: "Simulated provider: 20 calls in flight by contract, one shard.",
  maxConcurrency: 20,
  maxFanOut: 20,
  latencyThresholdMs: 5_000,
  errorRateThreshold: 0.5,
  maxAttempts: 3,
  worker: { module: "chaos", timeoutSeconds: 75 },
};

/** Median 300 ms, σ 1.2: mean ≈ 620 ms, 1 call in 100 slower than 4.9 s, 1 in 10 000 slower than 27 s. */
const HEAVY_TAILED = { medianMs: 300, sigma: 1.2 };

const MONDAY_8AM = "2026-03-02T08:00:00Z";

/**
 * A provider at a small cap answering in seconds with a heavy tail, as the
 * article's providers do: its operator put the slow threshold at 20 s (about
 * 6 % of calls are slower) and called 30 % bad calls too many.
 */
const SLOW_PROVIDER = {
  latencyThresholdMs: 20_000,
  errorRateThreshold: 0.3,
  maxAttempts: 4,
  worker: { module: "chaos", timeoutSeconds: 90 },
};
/** Median 2 s, σ 1.5: mean ≈ 6.2 s, 6 % slower than 20 s, 0.9 % slower than 70 s (clipped there). */
const SLOW_HEAVY_TAILED = { medianMs: 2_000, sigma: 1.5 };

const BUILT_IN: ScenarioInput[] = [
  {
    name: "healthy",
    description: "A healthy provider at its contractual capacity (20) with heavy-tailed latency.",
    start: MONDAY_8AM,
    horizonHours: 12,
    provider: PROVIDER,
    backlog: [{ records: 40_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED },
  },
  {
    name: "capacity-step",
    description: "True capacity falls from 20 to 6 at minute 15 and comes back at minute 45.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: PROVIDER,
    backlog: [{ records: 50_000 }],
    model: { capacity: { shape: "step", points: [{ atMinute: 0, value: 20 }, { atMinute: 15, value: 6 }, { atMinute: 45, value: 20 }] }, latency: HEAVY_TAILED },
  },
  {
    name: "latency-ramp",
    description: "Median latency climbs from 300 ms to 3 s between minutes 10 and 70 and stays; capacity unchanged.",
    start: MONDAY_8AM,
    horizonHours: 72,
    provider: PROVIDER,
    backlog: [{ records: 30_000 }],
    model: {
      capacity: 20,
      latency: { medianMs: { shape: "linear", points: [{ atMinute: 0, value: 300 }, { atMinute: 10, value: 300 }, { atMinute: 70, value: 3_000 }] }, sigma: 1.2 },
    },
  },
  {
    name: "outage-30m",
    description: "Every call fails fast (503) from minute 15 to minute 45.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: PROVIDER,
    backlog: [{ records: 50_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED, outages: [{ fromMinute: 15, toMinute: 45, mode: "error" }] },
  },
  {
    name: "flapping",
    description: "From minute 10 to 100 the provider hangs (calls time out) 4 minutes in every 12.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: PROVIDER,
    backlog: [{ records: 50_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED, flapping: [{ fromMinute: 10, toMinute: 100, downMinutes: 4, upMinutes: 8, mode: "timeout" }] },
  },
  {
    name: "daily-limit",
    description: "25 000 calls a day for 40 000 records, starting at 20:00: the rest waits for the next provider day.",
    start: "2026-03-02T20:00:00Z",
    horizonHours: 24,
    provider: { ...PROVIDER, dailyRequestLimit: 25_000 },
    backlog: [{ records: 40_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED },
  },
  {
    name: "maintenance",
    description: "Sunday 01:00–02:00 (UTC) maintenance window; the run starts at 00:30.",
    start: "2026-03-01T00:30:00Z",
    horizonHours: 24,
    provider: { ...PROVIDER, maintenanceWindows: [{ day: "sun", start: "01:00", end: "02:00" }] },
    backlog: [{ records: 60_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED },
  },
  {
    name: "tail-cap-1",
    description: "A healthy provider allowing one call at a time, median 2 s with a heavy tail (σ 1.5), 1 % errors.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { id: "tail-cap-1", maxConcurrency: 1, ...SLOW_PROVIDER },
    backlog: [{ records: 4_000 }],
    model: { capacity: 1, latency: SLOW_HEAVY_TAILED, errorShare: 0.01 },
  },
  {
    name: "tail-cap-4",
    description: "A healthy provider allowing 4 calls, median 2 s with a heavy tail (σ 1.5), 1 % errors.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { id: "tail-cap-4", maxConcurrency: 4, ...SLOW_PROVIDER },
    backlog: [{ records: 12_000 }],
    model: { capacity: 4, latency: SLOW_HEAVY_TAILED, errorShare: 0.01 },
  },
  {
    name: "tail-cap-8",
    description: "Shaped like meridian-funds: cap 8 as 1 shard × parallelization 2 × fan-out 4, median 2 s, σ 1.5, 1 % errors.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { id: "tail-cap-8", maxConcurrency: 8, shardCount: 1, parallelizationFactor: 2, maxFanOut: 4, ...SLOW_PROVIDER },
    backlog: [{ records: 20_000 }],
    model: { capacity: 8, latency: SLOW_HEAVY_TAILED, errorShare: 0.01 },
  },
  {
    name: "wide-spread",
    description: "The article's 5 ms to 70 s: median 600 ms, σ 2 (nearly 1 call in 100 is clipped at 70 s), cap 20, healthy.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { ...PROVIDER, id: "wide-spread", latencyThresholdMs: 30_000 },
    backlog: [{ records: 40_000 }],
    model: { capacity: 20, latency: { medianMs: 600, sigma: 2 } },
  },
  {
    name: "capacity-below-cap",
    description: "The contract allows 40 calls, the provider serves 8 before it throttles and fails.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { ...PROVIDER, id: "capacity-below-cap", maxConcurrency: 40, maxFanOut: 40 },
    backlog: [{ records: 30_000 }],
    model: { capacity: 8, latency: HEAVY_TAILED },
  },
  {
    name: "load-latency",
    description: "Past 8 calls in flight the provider neither throttles nor fails: it slows down, (n / 8)² times.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { ...PROVIDER, id: "load-latency" },
    backlog: [{ records: 30_000 }],
    model: { capacity: 8, latency: HEAVY_TAILED, overload: { throttleShare: 0, errorShare: 0, latencyExponent: 2 } },
  },
  {
    name: "steady-errors",
    description: "A healthy provider that fails 3 % of calls whatever the load.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { ...PROVIDER, id: "steady-errors", maxAttempts: 5 },
    backlog: [{ records: 40_000 }],
    model: { capacity: 20, latency: HEAVY_TAILED, errorShare: 0.03 },
  },
  {
    name: "many-lanes",
    description: "4 shards × parallelization 2: 8 batches in flight at once, fan-out 5 each, cap 40, healthy.",
    start: MONDAY_8AM,
    horizonHours: 24,
    provider: { ...PROVIDER, id: "many-lanes", maxConcurrency: 40, maxFanOut: 5, shardCount: 4, parallelizationFactor: 2 },
    backlog: [{ records: 60_000 }],
    model: { capacity: 40, latency: HEAVY_TAILED },
  },
];

export const BUILT_IN_SCENARIOS: readonly Scenario[] = BUILT_IN.map((s) => validateScenario(s, `built-in scenario "${s.name}"`));

export const SCENARIO_NAMES: readonly string[] = BUILT_IN_SCENARIOS.map((s) => s.name);

export function builtInScenario(name: string): Scenario | undefined {
  return BUILT_IN_SCENARIOS.find((s) => s.name === name);
}

/** A built-in by name, or a scenario file by path. */
export function resolveScenario(nameOrFile: string): Scenario {
  const builtIn = builtInScenario(nameOrFile);
  if (builtIn) return builtIn;
  if (existsSync(nameOrFile)) return loadScenarioFile(nameOrFile);
  throw new ScenarioError([`unknown scenario "${nameOrFile}": not a built-in (${SCENARIO_NAMES.join(", ")}) nor a file`]);
}

export { DEFAULT_CONTROLLER };
