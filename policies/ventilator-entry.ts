/**
 * The catalog entry a ventilator runs with: its SLUICE_PROVIDER environment
 * variable, re-validated with the catalog's own validator exactly as the
 * ventilator does at cold start (runtime/lambda-env.ts, components/environment.ts).
 * Its maxFanOut is the ventilator's configured maximum fan-out.
 */
import { validateProvider } from "../runtime/catalog/validate";
import type { Provider } from "../runtime/catalog/provider";
import { CatalogError } from "../runtime/errors";
import { VENTILATOR_ENV } from "../runtime/lambda-env";
import { known, UNKNOWN } from "./known";

export type VentilatorEntry =
  | { kind: "ok"; provider: Provider }
  /** Computed from other resources' outputs: a preview of a new pipeline. */
  | { kind: "unknown" }
  | { kind: "absent" }
  | { kind: "invalid"; problem: string };

export function ventilatorEntry(props: Record<string, any>): VentilatorEntry {
  const value = known(() => props.environment?.variables?.[VENTILATOR_ENV.PROVIDER] as unknown);
  if (value === UNKNOWN) return { kind: "unknown" };
  if (typeof value !== "string") return { kind: "absent" };
  try {
    return { kind: "ok", provider: validateProvider(JSON.parse(value), VENTILATOR_ENV.PROVIDER) };
  } catch (err) {
    if (err instanceof CatalogError) return { kind: "invalid", problem: err.problems.join("; ") };
    if (err instanceof SyntaxError) return { kind: "invalid", problem: `${VENTILATOR_ENV.PROVIDER} is not JSON: ${err.message}` };
    throw err;
  }
}
