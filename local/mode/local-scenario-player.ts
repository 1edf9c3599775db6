/**
 * Plays a local scenario on the wall clock: at each step's time the targeted
 * providers' chaos profile changes. The pipeline's chaos object is read at
 * every call, so assigning to it changes the simulated provider at once. The
 * profile is kept in provider time and compressed on each change, so steps
 * never compound rounding.
 */
import { applyStep, describeStep, type LocalScenario } from "./local-scenario";
import { compressChaos } from "./time-compression";
import type { ProviderRun } from "./provider-run";

export interface ScenarioPlayer {
  stop(): void;
}

/** `elapsedMs`: wall time since second 0 of the run, which the steps' `at` count from. */
export function playScenario(scenario: LocalScenario, runs: readonly ProviderRun[], elapsedMs: number, onStep: (run: ProviderRun, text: string) => void): ScenarioPlayer {
  const current = new Map(runs.map((r) => [r, { ...r.plan.profile }]));
  const timers = scenario.steps.map((step) =>
    setTimeout(() => {
      for (const run of runs) {
        if (step.provider !== undefined && step.provider !== run.id) continue;
        const next = applyStep(current.get(run)!, run.plan.profile, step);
        current.set(run, next);
        Object.assign(run.pipeline.chaos, compressChaos(next, run.plan.latencyFactor));
        onStep(run, describeStep(step));
      }
    }, Math.max(0, step.atMs - elapsedMs)),
  );
  return {
    stop() {
      for (const t of timers) clearTimeout(t);
    },
  };
}
