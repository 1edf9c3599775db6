/**
 * Local scenario files for `sluice local --scenario FILE`: steps that change
 * a provider's chaos profile while the run goes on, e.g. an outage and its
 * recovery. (The simulator's scenarios, sim/simulation-scenario.ts, describe a whole
 * provider model in virtual time; these only turn the local chaos worker's
 * knobs on the wall clock, so the two formats stay apart.)
 *
 *   [ { "at": "30s", "provider": "demo", "set": { "errorPercentage": 100 } },
 *     { "at": "60s", "provider": "demo", "reset": true } ]
 *
 * or { "description": "…", "steps": [ … ] }. `at` is wall time since the
 * records started going in ("500ms", "30s", "1m30s", or seconds as a number),
 * not compressed by --speed. `set` takes the catalog's chaos settings (same names
 * and ranges; latencies in provider time, compressed like the profile);
 * `reset` returns to the provider's starting profile first. A step without
 * `provider` applies to every provider in the run.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { workerSchema, type ChaosSettings } from "../../runtime/catalog/schema";
import { parseDuration } from "./duration";
import { LocalScenarioError } from "./errors";

/** The catalog's chaos settings, each optional and without its default: a step changes only what it names. */
const chaosPatchSchema = (() => {
  const settings = workerSchema.options[0].shape.settings.unwrap();
  const shape = Object.fromEntries(Object.entries(settings.shape).map(([name, field]) => [name, field.unwrap().optional()])) as {
    [K in keyof typeof settings.shape]: z.ZodOptional<ReturnType<(typeof settings.shape)[K]["unwrap"]>>;
  };
  return z.strictObject(shape);
})();

const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a duration such as "30s", "1m30s" or "500ms"` });
    return z.NEVER;
  }
  return ms;
});

const stepSchema = z
  .strictObject({
    at: durationSchema,
    provider: z.string().min(1).optional(),
    set: chaosPatchSchema.optional(),
    reset: z.boolean().optional(),
  })
  .refine((s) => s.set !== undefined || s.reset === true, { message: 'needs "set" or "reset": true' });

export const localScenarioSchema = z.preprocess(
  (raw) => (Array.isArray(raw) ? { steps: raw } : raw),
  z.strictObject({ description: z.string().optional(), steps: z.array(stepSchema) }),
);

export type ChaosPatch = z.output<typeof chaosPatchSchema>;

export interface ScenarioStep {
  atMs: number;
  /** Absent: every provider in the run. */
  provider?: string;
  set?: ChaosPatch;
  reset?: boolean;
}

export interface LocalScenario {
  /** The file name, or "built-in" for the embedded default. */
  source: string;
  description?: string;
  /** In time order. */
  steps: ScenarioStep[];
}

function stepLabel(raw: unknown, index: number): string {
  const at = (raw as { steps?: { at?: unknown }[] } | null)?.steps?.[index]?.at;
  return `step ${index + 1}${typeof at === "string" || typeof at === "number" ? ` (at ${JSON.stringify(at)})` : ""}`;
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const [head, index, ...rest] = issue.path;
  const where = head === "steps" && typeof index === "number" ? `${stepLabel(raw, index)}: ` : "";
  const field = (head === "steps" && typeof index === "number" ? rest : issue.path).map(String).join(".");
  let value: unknown = raw;
  for (const key of issue.path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  if (issue.code === "unrecognized_keys") return `${where}unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${field ? `${field}.` : ""}${k}"`).join(", ")}`;
  if (issue.path.length === 0 && issue.code === "invalid_type") return "expected an array of steps or an object with \"steps\"";
  if ((issue.code === "invalid_type" || issue.code === "invalid_union") && value === undefined) return `${where}${field} is required`;
  if (issue.code === "too_big" && typeof value === "number") return `${where}${field} ${value} is above the maximum ${String(issue.maximum)}`;
  if (issue.code === "too_small" && typeof value === "number") return `${where}${field} ${value} is below the minimum ${String(issue.minimum)}`;
  if (issue.code === "custom") return `${where}${field ? `${field} ` : ""}${issue.message}`;
  return `${where}${field || "the scenario"}: ${issue.message}${value === undefined ? "" : ` (got ${JSON.stringify(value)})`}`;
}

/** Validates parsed JSON against the schema and the run's catalog; `knownProviders` are the catalog's ids. */
export function validateLocalScenario(raw: unknown, source: string, knownProviders: readonly string[]): LocalScenario {
  const parsed = localScenarioSchema.safeParse(raw);
  const wrapped = Array.isArray(raw) ? { steps: raw } : raw;
  if (!parsed.success) throw new LocalScenarioError(source, parsed.error.issues.map((issue) => describeIssue(wrapped, issue)));
  const problems: string[] = [];
  parsed.data.steps.forEach((step, i) => {
    if (step.provider !== undefined && !knownProviders.includes(step.provider)) {
      problems.push(`${stepLabel(wrapped, i)}: provider "${step.provider}" is not in the catalog (known: ${knownProviders.join(", ")})`);
    }
  });
  if (problems.length > 0) throw new LocalScenarioError(source, problems);
  const steps = parsed.data.steps
    .map((s): ScenarioStep => ({ atMs: s.at, ...(s.provider ? { provider: s.provider } : {}), ...(s.set ? { set: s.set } : {}), ...(s.reset ? { reset: true } : {}) }))
    .sort((a, b) => a.atMs - b.atMs);
  return { source, ...(parsed.data.description ? { description: parsed.data.description } : {}), steps };
}

export function loadLocalScenario(path: string, knownProviders: readonly string[]): LocalScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LocalScenarioError(path, [code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (err as Error).message})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LocalScenarioError(path, [`not JSON: ${(err as Error).message}`]);
  }
  return validateLocalScenario(raw, path, knownProviders);
}

/** The profile after a step: a reset returns to `start`, then `set` overrides. */
export function applyStep(current: ChaosSettings, start: ChaosSettings, step: Pick<ScenarioStep, "set" | "reset">): ChaosSettings {
  const base = step.reset ? start : current;
  const patch = Object.fromEntries(Object.entries(step.set ?? {}).filter(([, v]) => v !== undefined)) as Partial<ChaosSettings>;
  return { ...base, ...patch };
}

/** "errorPercentage 100, slowMs 500" or "reset" for the view and the report. */
export function describeStep(step: Pick<ScenarioStep, "set" | "reset">): string {
  const parts = Object.entries(step.set ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${String(v)}`);
  return [...(step.reset ? ["reset to the starting profile"] : []), ...parts].join(", ");
}
