/**
 * The built-in scenarios, as data validated by the same schema as a scenario
 * file. Every one shares the same provider entry (a catalog entry, defaults
 * left to the catalog) unless it says otherwise, and a backlog large enough to
 * outlast its incident, so both controllers face the same provider and records.
 */
import { DEFAULT_CONTROLLER, loadScenarioFile, validateScenario, type Scenario, type ScenarioInput } from "./scenario";
import { ScenarioError } from "./scenario";
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
