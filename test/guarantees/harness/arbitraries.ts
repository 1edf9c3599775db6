/**
 * What the fault search generates: a provider entry (through the catalog's
 * own validation), a start instant (near midnight, near a window's close, in
 * a few zones and seasons), a model seed, and a sequence of steps. Everything
 * is plain data, so fast-check prints a shrunk counterexample as it is.
 */
import fc from "fast-check";
import type { ProviderInput } from "../../../runtime/catalog/schema";
import { validateProvider } from "../../../runtime/catalog/validate";
import { FAULT_KINDS } from "./faults";
import type { RunSpec, Step } from "./world";

const ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"] as const;

/** Window shapes: always open, daytime, overnight, a short slot, a weekly maintenance. */
const WINDOWS: Pick<ProviderInput, "accessWindows" | "maintenanceWindows">[] = [
  {},
  { accessWindows: [{ start: "08:00", end: "20:00" }] },
  { accessWindows: [{ start: "20:00", end: "06:00" }] },
  { accessWindows: [{ start: "11:00", end: "11:20" }, { start: "23:40", end: "00:20" }] },
  { maintenanceWindows: [{ day: "sun", start: "23:30", end: "01:00" }, { day: "mon", start: "12:00", end: "12:30" }] },
];

/** Mondays, at the start of the European and the end of the American summer time, in the future. */
const BASES = [Date.UTC(2097, 0, 7), Date.UTC(2097, 2, 25), Date.UTC(2097, 10, 4)];

/** One generated run, as fast-check prints it: the choices, not the validated provider built from them. */
export interface Generated {
  provider: ProviderChoice;
  seed: number;
  idPool: number;
  missing: number[];
  steps: Step[];
}

export interface ProviderChoice {
  zone: number;
  cap: number;
  shards: number;
  parallelization: number;
  maxAttempts: number;
  timeoutSeconds: number;
  backoffSeconds: number;
  step: boolean;
  windows: number;
  dailyLimit: number | null;
  base: number;
  minutes: number;
}

export const providerChoice: fc.Arbitrary<ProviderChoice> = fc.record({
  zone: fc.nat(ZONES.length - 1),
  cap: fc.integer({ min: 1, max: 6 }),
  shards: fc.integer({ min: 1, max: 2 }),
  parallelization: fc.integer({ min: 1, max: 2 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  timeoutSeconds: fc.integer({ min: 2, max: 12 }),
  backoffSeconds: fc.integer({ min: 0, max: 5 }),
  step: fc.boolean(),
  windows: fc.nat(WINDOWS.length - 1),
  dailyLimit: fc.option(fc.integer({ min: 3, max: 40 }), { nil: null }),
  base: fc.nat(BASES.length - 1),
  // Minutes after the base Monday 00:00 UTC: across two days, so midnights and windows come and go.
  minutes: fc.integer({ min: 0, max: 2 * 24 * 60 }),
});

export function specOf(c: ProviderChoice, seed: number, idPool: number, missing: number[]): RunSpec {
  const cap = Math.max(c.cap, c.shards * c.parallelization);
  const provider = validateProvider({
    id: "fuzz",
    maxConcurrency: cap,
    shardCount: c.shards,
    parallelizationFactor: c.parallelization,
    maxAttempts: c.maxAttempts,
    latencyThresholdMs: Math.floor((c.timeoutSeconds * 1000) / 2),
    timezone: ZONES[c.zone],
    ...WINDOWS[c.windows],
    ...(c.dailyLimit !== null ? { dailyRequestLimit: c.dailyLimit } : {}),
    worker: { module: "chaos", timeoutSeconds: c.timeoutSeconds },
    ledger: { retryBackoffSeconds: c.backoffSeconds },
    controller: c.step
      ? { strategy: "step", rearmIntervalMinutes: 0.5 }
      : { strategy: "adaptive", minUpdateIntervalSeconds: 5, breaker: { baseIntervalMinutes: 0.5, maxIntervalMinutes: 2, probesToClose: 2 } },
  });
  return { provider, start: BASES[c.base]! + c.minutes * 60_000, seed, idPool, missing };
}

const advance = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 10, max: 2_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 2_000, max: 60_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 15 * 60_000 }) },
);

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("enqueue" as const), ids: fc.array(fc.nat(49), { minLength: 1, maxLength: 6 }), lane: fc.nat(3), stamped: fc.boolean(), adHoc: fc.boolean() }) },
  { weight: 7, arbitrary: advance.map((ms): Step => ({ kind: "advance", ms })) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("fault" as const), fault: fc.constantFrom(...FAULT_KINDS), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kill" as const), lane: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "revoke" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "fix" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "to-midnight" }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: "to-close" }) },
);

export function runArbitrary(maxSteps: number): fc.Arbitrary<Generated> {
  return fc.record({
    provider: providerChoice,
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    idPool: fc.integer({ min: 3, max: 12 }),
    missing: fc.array(fc.nat(11), { maxLength: 2 }),
    steps: fc.array(step, { minLength: 3, maxLength: maxSteps }),
  });
}

export function specFor(g: Generated): RunSpec {
  return specOf(g.provider, g.seed, g.idPool, g.missing);
}
