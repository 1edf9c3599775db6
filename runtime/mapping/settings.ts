/**
 * How one container paces its event source mapping calls: the defaults,
 * written once for the ventilator, the simulator, local mode and the benchmarks.
 *
 * Every Lambda control-plane call of an account shares 15 requests/s per
 * Region, so a batch-size change is sent at most once per minUpdateIntervalMs
 * per container; retries wait delay = random() × min(backoffCapMs,
 * backoffBaseMs × 2^attempt) (full jitter, runtime/backoff).
 */
export interface MappingControlSettings {
  /** Smallest gap between two update calls that do not toggle `enabled`. @default 5000 */
  minUpdateIntervalMs: number;
  /** Retries of ResourceInUse / ResourceConflict / TooManyRequests (and of failed reads) after the first attempt. @default 4 */
  maxRetries: number;
  /** First backoff ceiling. @default 250 */
  backoffBaseMs: number;
  /** Largest backoff ceiling. @default 4000 */
  backoffCapMs: number;
  /** Age after which the cached view is no longer trusted to skip an update: other containers change the mapping too. @default 60000 */
  viewMaxAgeMs: number;
}

export const MAPPING_CONTROL_DEFAULTS: Readonly<MappingControlSettings> = Object.freeze({
  minUpdateIntervalMs: 5_000,
  maxRetries: 4,
  backoffBaseMs: 250,
  backoffCapMs: 4_000,
  viewMaxAgeMs: 60_000,
});

/** The defaults with `given` over them; a negative or non-finite value throws a RangeError naming it (and `owner`). */
export function mappingControlSettings(given: Partial<MappingControlSettings>, owner: string): MappingControlSettings {
  const out = { ...MAPPING_CONTROL_DEFAULTS };
  for (const key of Object.keys(MAPPING_CONTROL_DEFAULTS) as (keyof MappingControlSettings)[]) {
    const value = given[key] ?? MAPPING_CONTROL_DEFAULTS[key];
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${owner}: ${key} ${value} must be a finite number >= 0`);
    out[key] = value;
  }
  out.maxRetries = Math.floor(out.maxRetries);
  return out;
}
