/**
 * What `npm start` (= `sluice local` with no options) runs: every enabled
 * provider of providers.json, a few hundred records each, time compressed so
 * breaker waits of minutes take seconds, and a built-in scenario that makes
 * the self-healing visible: an outage of the demo provider (the breaker
 * opens, the re-arm schedule probes at mapping batch size 1, and after the recovery
 * the pipeline resumes one decrease below the level that worked) while
 * meridian-funds turns slow (its limit falls).
 */
import { validateLocalScenario, type LocalScenario } from "./local-scenario";

export const DEFAULTS = {
  records: 800,
  speed: 120,
  timeout: "10m",
  report: "sluice-local-report.html",
} as const;

/** In the scenario file format, validated like a file. */
export const BUILT_IN_SCENARIO: { description: string; steps: { at: string; provider?: string; set?: Record<string, number>; reset?: boolean }[] } = {
  description: "demo down at 0:10–0:25; meridian-funds slow at 0:10–0:20",
  steps: [
    { at: "10s", provider: "demo", set: { errorPercentage: 100 } },
    { at: "25s", provider: "demo", reset: true },
    { at: "10s", provider: "meridian-funds", set: { slowPercentage: 60 } },
    { at: "20s", provider: "meridian-funds", reset: true },
  ],
};

/** The built-in scenario for a catalog: steps naming a provider it lacks are dropped. */
export function builtInScenario(knownProviders: readonly string[]): LocalScenario {
  const steps = BUILT_IN_SCENARIO.steps.filter((s) => s.provider === undefined || knownProviders.includes(s.provider));
  return validateLocalScenario({ ...BUILT_IN_SCENARIO, steps }, "built-in", knownProviders);
}
