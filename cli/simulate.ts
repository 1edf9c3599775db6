/**
 * `sluice simulate`: one deterministic virtual-time run of the real ventilator
 * and controller against a simulated provider (see sim/): a built-in
 * scenario, a scenario file, or a provider of the catalog with the healthy
 * profile local mode gives it.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { DEFAULT_CATALOG, loadCatalog } from "../runtime/catalog/load";
import { SluiceError } from "../runtime/errors";
import { scenarioForProvider } from "../sim/catalog-scenario";
import { METRIC_KEYS } from "../sim/metrics";
import { renderReport } from "../sim/simulation-report";
import { DEFAULT_SEED, runScenario } from "../sim/run";
import { CONTROLLERS, DEFAULT_CONTROLLER, isControllerName, type ControllerName, type Scenario } from "../sim/simulation-scenario";
import { BUILT_IN_SCENARIOS, resolveScenario } from "../sim/scenarios";
import { CliInputError } from "./errors";
import { EXIT_OK } from "./output";
import { requireProvider } from "./target";

export function controllerOption(name: string): ControllerName {
  if (!isControllerName(name)) throw new SluiceError(`unknown controller "${name}": expected one of ${CONTROLLERS.join(", ")}`);
  return name;
}

export function seedOption(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed) || seed > 0xffffffff) throw new SluiceError(`--seed "${text}" is not an integer between 0 and 4294967295`);
  return seed;
}

export function scenarioList(): string {
  return BUILT_IN_SCENARIOS.map((s) => `  ${s.name.padEnd(19)} ${s.description}`).join("\n");
}

/** The scenario a --scenario or a --provider (with --catalog) names; exactly one of them. */
export function chosenScenario(opts: { scenario?: string; provider?: string; catalog: string }): Scenario {
  if ((opts.scenario === undefined) === (opts.provider === undefined)) throw new CliInputError(["give either --scenario or --provider (a provider of the catalog)"]);
  if (opts.scenario !== undefined) return resolveScenario(opts.scenario);
  return scenarioForProvider(requireProvider(loadCatalog(opts.catalog), opts.provider!, opts.catalog));
}

export function registerSimulate(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("simulate")
    .description("run one deterministic simulation of the real ventilator and controller against a simulated provider")
    .option("-s, --scenario <name|file>", "a built-in scenario or a scenario JSON file")
    .option("-p, --provider <id>", "a provider of the catalog, with the healthy profile local mode gives it")
    .option("--catalog <file>", "the catalog --provider reads", DEFAULT_CATALOG)
    .option("-c, --controller <name>", `controller strategy (${CONTROLLERS.join(", ")})`, DEFAULT_CONTROLLER)
    .option("--seed <n>", "random seed: the same seed gives the same result", String(DEFAULT_SEED))
    .option("--json", "print the metrics as one JSON object")
    .option("--report <file>", "write a self-contained HTML report")
    .addHelpText("after", `\nBuilt-in scenarios:\n${scenarioList()}\n`)
    .action((opts: { scenario?: string; provider?: string; catalog: string; controller: string; seed: string; json?: boolean; report?: string }) =>
      run(async () => {
        const controller = controllerOption(opts.controller);
        const seed = seedOption(opts.seed);
        const scenario = chosenScenario(opts);
        const result = await runScenario({ scenario, controller, seed });
        if (opts.report) writeFileSync(opts.report, renderReport([result], `sluice simulate: ${scenario.name} × ${controller}`));
        if (opts.json) {
          process.stdout.write(JSON.stringify(result.metrics) + "\n");
          return EXIT_OK;
        }
        const m = result.metrics as unknown as Record<string, unknown>;
        const lines = [
          `scenario ${scenario.name} × ${controller}, seed ${seed}: ${((result.end - result.start) / 3_600_000).toFixed(2)} h simulated (${result.endReason})`,
          ...(opts.provider ? [`  ${scenario.description}`] : []),
          ...METRIC_KEYS.slice(2).map((k) => `  ${k.padEnd(15)} ${m[k] === null ? "n/a" : String(m[k])}`),
          `  calls           ${result.recorder.totals.calls} (ok ${result.recorder.totals.ok}, error ${result.recorder.totals.error}, throttled ${result.recorder.totals.throttled}, timeout ${result.recorder.totals.timeout})`,
          ...(opts.report ? [`report written to ${opts.report}`] : []),
        ];
        process.stdout.write(lines.join("\n") + "\n");
        return EXIT_OK;
      }),
    );
}
