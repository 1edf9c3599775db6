/**
 * The chaos worker's settings as Lambda environment variables (CHAOS_ENV, the
 * demo's names). `chaosEnvironment` is what the infrastructure sets and
 * `chaosSettingsFromEnv` what the worker reads back: one mapping, both ways.
 * Bounds and defaults come from the catalog schema, not from here.
 */
import { chaosSettings, type ChaosSettings } from "../../catalog/schema";
import { SluiceError } from "../../errors";
import { CHAOS_ENV } from "../../lambda-env";

/** A variable that is not a number within the catalog's bounds; `problems` has one line per variable. */
export class ChaosEnvironmentError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super(`chaos worker environment is not valid:\n${problems.join("\n")}`);
  }
}

const FIELD_TO_ENV: Record<keyof ChaosSettings, string> = {
  baseLatencyMs: CHAOS_ENV.BASE_LATENCY_MS,
  slowPercentage: CHAOS_ENV.SLOW_PERCENTAGE,
  slowMs: CHAOS_ENV.SLOW_MS,
  errorPercentage: CHAOS_ENV.ERROR_PERCENTAGE,
  throttlePercentage: CHAOS_ENV.THROTTLE_PERCENTAGE,
};

const FIELDS = Object.keys(FIELD_TO_ENV) as (keyof ChaosSettings)[];

export function chaosEnvironment(settings: ChaosSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const field of FIELDS) env[FIELD_TO_ENV[field]] = String(settings[field]);
  return env;
}

/** Unset variables take the catalog's defaults; anything unparsable or out of bounds throws, naming the variable. */
export function chaosSettingsFromEnv(env: NodeJS.ProcessEnv): ChaosSettings {
  const problems: string[] = [];
  const raw: Partial<Record<keyof ChaosSettings, number>> = {};
  for (const field of FIELDS) {
    const name = FIELD_TO_ENV[field];
    const text = env[name];
    if (text === undefined || text.trim() === "") continue;
    const value = Number(text);
    if (!Number.isFinite(value)) problems.push(`${name} must be a number, got ${JSON.stringify(text)}`);
    else raw[field] = value;
  }
  if (problems.length > 0) throw new ChaosEnvironmentError(problems);

  const parsed = chaosSettings.safeParse(raw);
  if (!parsed.success) {
    throw new ChaosEnvironmentError(
      parsed.error.issues.map((issue) => {
        const field = issue.path[0] as keyof ChaosSettings | undefined;
        const name = field && field in FIELD_TO_ENV ? FIELD_TO_ENV[field] : issue.path.join(".");
        return `${name} ${field ? String(raw[field]) : ""}: ${issue.message}`.replace(/ :/, ":");
      }),
    );
  }
  return parsed.data;
}
