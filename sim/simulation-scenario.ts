/**
 * What a simulation runs: a provider (a catalog entry, validated like
 * providers.json), the backlog enqueued into its stream, the provider's true
 * behaviour (capacity, latency, overload, outages) and the event source
 * mapping's timings. Built-in scenarios (scenarios.ts) and scenario files share
 * this schema; a file is validated here, and every problem names its field.
 */
import { fieldPath, valueAt } from "../runtime/catalog/validate";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Provider } from "../runtime/catalog/provider";
import { validateProvider } from "../runtime/catalog/validate";
import { SluiceError } from "../runtime/errors";
import { STACK_DEFAULTS } from "../components/settings";
import { STRATEGY_NAMES } from "../runtime/controller/types";
import type { TimeProfile } from "./time-profile";

export const CONTROLLERS = STRATEGY_NAMES;
export type ControllerName = (typeof CONTROLLERS)[number];
/** The controller the catalog defaults to, the one that must beat step. */
export const DEFAULT_CONTROLLER: ControllerName = "adaptive";

export const OUTAGE_MODES = ["error", "timeout"] as const;

/** A scenario that cannot be used: one line per problem, each naming the field. */
export class ScenarioError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

const minute = z.number().min(0).max(60 * 24 * 14);

const profileSchema = (min: number, max: number) =>
  z.union([
    z.number().min(min).max(max).transform((value): TimeProfile => ({ shape: "step", points: [{ atMinute: 0, value }] })),
    z
      .strictObject({
        shape: z.enum(["step", "linear"]).default("step"),
        points: z.array(z.strictObject({ atMinute: minute, value: z.number().min(min).max(max) })).min(1),
      })
      .superRefine((p, ctx) => {
        if (p.points[0]!.atMinute !== 0) ctx.addIssue({ code: "custom", path: ["points", 0, "atMinute"], message: "the first point must be at minute 0" });
        p.points.forEach((pt, i) => {
          if (i > 0 && pt.atMinute <= p.points[i - 1]!.atMinute) {
            ctx.addIssue({ code: "custom", path: ["points", i, "atMinute"], message: `must be after the previous point's ${p.points[i - 1]!.atMinute}` });
          }
        });
      }),
  ]);

const outageSchema = z
  .strictObject({
    fromMinute: minute,
    toMinute: minute,
    mode: z.enum(OUTAGE_MODES).default("error").describe("error: every call fails fast; timeout: every call hangs until the worker times out"),
  })
  .refine((o) => o.toMinute > o.fromMinute, { path: ["toMinute"], message: "must be after fromMinute" });

const flappingSchema = z
  .strictObject({
    fromMinute: minute,
    toMinute: minute,
    downMinutes: z.number().positive(),
    upMinutes: z.number().positive(),
    mode: z.enum(OUTAGE_MODES).default("error"),
  })
  .refine((f) => f.toMinute > f.fromMinute, { path: ["toMinute"], message: "must be after fromMinute" });

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, { message: "expected a slug of lowercase letters, digits and dashes" }),
  description: z.string().default(""),
  start: z.iso.datetime({ offset: true }).describe("Virtual start instant, ISO 8601"),
  horizonHours: z.number().positive().max(24 * 14).default(48).describe("The run stops here even if records remain (they count as lost)"),
  provider: z.record(z.string(), z.unknown()).describe("A providers.json entry; its controller is replaced by the one simulated"),
  backlog: z.array(z.strictObject({ atMinute: minute.default(0), records: z.number().int().min(1).max(2_000_000) })).min(1),
  model: z.strictObject({
    capacity: profileSchema(1, 10_000).describe("True capacity: calls in flight the provider serves without degrading"),
    latency: z.strictObject({
      medianMs: profileSchema(5, 70_000),
      sigma: z.number().min(0).max(4).default(1).describe("Log-normal shape; latencies are clipped to [5 ms, 70 s]"),
      slow: z
        .strictObject({ share: z.number().min(0).max(1), ms: z.number().min(5).max(70_000) })
        .optional()
        .describe("A share of calls that take a fixed time instead (the chaos worker's slowPercentage and slowMs)"),
    }),
    errorShare: z.number().min(0).max(1).default(0.002).describe("Share of calls failing while healthy"),
    throttleShare: z.number().min(0).max(1).default(0).describe("Share of calls throttled (429) while healthy, whatever the load"),
    overload: z
      .strictObject({
        throttleShare: z.number().min(0).max(1).default(0.5),
        errorShare: z.number().min(0).max(1).default(0.2),
        latencyExponent: z.number().min(0).max(4).default(1),
      })
      .default({ throttleShare: 0.5, errorShare: 0.2, latencyExponent: 1 })
      .describe("Above capacity a call is throttled with p = throttleShare × (1 − C/n), fails with p = errorShare × (1 − C/n), and is slowed by (n/C)^latencyExponent"),
    outages: z.array(outageSchema).default([]),
    flapping: z.array(flappingSchema).default([]),
    enforceDailyLimit: z.boolean().default(true).describe("The provider throttles calls past the provider's dailyRequestLimit"),
  }),
  mapping: z
    .strictObject({
      updateDelaySeconds: z
        .strictObject({ min: z.number().min(0).max(600), max: z.number().min(0).max(600) })
        .refine((d) => d.max >= d.min, { path: ["max"], message: "must be at least min" })
        .default({ min: 3, max: 15 }),
      pollIntervalMs: z.number().int().min(1).max(60_000).default(1_000),
      batchGapMs: z.number().int().min(0).max(60_000).default(200),
      invokeOverheadMs: z.number().int().min(0).max(10_000).default(10),
    })
    .default({ updateDelaySeconds: { min: 3, max: 15 }, pollIntervalMs: 1_000, batchGapMs: 200, invokeOverheadMs: 10 }),
  ledger: z
    .strictObject({ latencyMs: z.number().min(0).max(1_000).default(5).describe("Virtual time each ledger (DynamoDB) request takes") })
    .default({ latencyMs: 5 }),
  rearmIntervalMinutes: z.number().int().min(1).max(1_440).default(STACK_DEFAULTS.rearmIntervalMinutes),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type Outage = { fromMinute: number; toMinute: number; mode: (typeof OUTAGE_MODES)[number] };

function describe(raw: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_union") {
    // A profile is a number or {shape, points}: report the branch that matches the value's kind.
    const branch = issue.errors.find((b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0));
    if (branch?.[0]) return describe(raw, { ...branch[0], path: [...issue.path, ...branch[0].path] });
    return `${fieldPath(issue.path)}: expected a number or { "shape", "points" } (got ${JSON.stringify(valueAt(raw, issue.path))})`;
  }
  const field = fieldPath(issue.path) || "(the scenario)";
  const value = valueAt(raw, issue.path);
  if (issue.code === "unrecognized_keys") return issue.keys.map((k) => `unknown field "${issue.path.length ? `${field}.` : ""}${k}"`).join("; ");
  if (issue.code === "invalid_type" && value === undefined) return `${field} is required`;
  const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  return `${field}: ${issue.message}${shown}`;
}

/** Validates parsed JSON; `source` prefixes every problem (a file name, a built-in's name). */
export function validateScenario(raw: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(parsed.error.issues.map((issue) => `${source}: ${describe(raw, issue)}`));
  // The provider entry is checked now, so a broken file fails before any run.
  providerFor(parsed.data, DEFAULT_CONTROLLER, source);
  return parsed.data;
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError([`${path}: cannot read the scenario file${code ? ` (${code})` : ""}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError([`${path}: not JSON: ${(err as Error).message}`]);
  }
  return validateScenario(raw, path);
}

/**
 * The scenario's provider as the catalog validates it, running `controller`:
 * the entry's own controller settings are kept when it names that strategy,
 * otherwise the strategy's catalog defaults apply.
 */
export function providerFor(scenario: Scenario, controller: ControllerName, source = `scenario "${scenario.name}"`): Provider {
  const entry = scenario.provider;
  const own = entry.controller as { strategy?: unknown } | undefined;
  const chosen = own?.strategy === controller ? own : { strategy: controller };
  try {
    return validateProvider({ ...entry, controller: chosen }, `${source}: provider`);
  } catch (err) {
    if (err instanceof SluiceError) throw new ScenarioError(err.message.split("\n"));
    throw err;
  }
}

/** Explicit outages and flapping cycles, in time order. */
export function outagesOf(scenario: Scenario): Outage[] {
  const out: Outage[] = [...scenario.model.outages];
  for (const f of scenario.model.flapping) {
    for (let t = f.fromMinute; t < f.toMinute; t += f.downMinutes + f.upMinutes) {
      out.push({ fromMinute: t, toMinute: Math.min(f.toMinute, t + f.downMinutes), mode: f.mode });
    }
  }
  return out.sort((a, b) => a.fromMinute - b.fromMinute);
}

export function startOf(scenario: Scenario): number {
  return Date.parse(scenario.start);
}

export function totalRecords(scenario: Scenario): number {
  return scenario.backlog.reduce((n, b) => n + b.records, 0);
}

export function isControllerName(name: string): name is ControllerName {
  return (CONTROLLERS as readonly string[]).includes(name);
}
