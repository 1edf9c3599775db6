/**
 * `sluice bench`: every built-in scenario × every controller, plus the
 * oracle's bound. A table for people; `--json` prints {"results":[...]} and
 * nothing else on stdout (progress goes to stderr, on a terminal only).
 */
import type { Command } from "commander";
import { formatTable, runBench } from "../sim/bench";
import { DEFAULT_SEED } from "../sim/run";
import { CONTROLLERS } from "../sim/scenario";
import { BUILT_IN_SCENARIOS, resolveScenario } from "../sim/scenarios";
import { EXIT_OK } from "./output";
import { startProgress } from "./progress";
import { scenarioList, seedOption } from "./simulate";

export function registerBench(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("bench")
    .description("simulate every built-in scenario with every controller and compare them with the oracle")
    .option("--json", 'print {"results":[...]} as JSON')
    .option("--seed <n>", "random seed shared by every run", String(DEFAULT_SEED))
    .option("-s, --scenario <name|file...>", "only these scenarios (built-in names or files)")
    .option("--no-progress", "no progress bar on stderr")
    .addHelpText("after", `\nBuilt-in scenarios:\n${scenarioList()}\n`)
    .action((opts: { json?: boolean; seed: string; scenario?: string[]; progress: boolean }) =>
      run(async () => {
        const seed = seedOption(opts.seed);
        const scenarios = opts.scenario ? opts.scenario.map(resolveScenario) : [...BUILT_IN_SCENARIOS];
        const started = Date.now();
        const bar = startProgress({ unit: "runs", label: "bench", total: scenarios.length * CONTROLLERS.length, minTotal: 2, enabled: opts.progress });
        const { results } = await runBench({ scenarios, seed, onProgress: (done) => bar.update(done) });
        bar.stop();
        if (opts.json) {
          process.stdout.write(JSON.stringify({ results }) + "\n");
          return EXIT_OK;
        }
        process.stdout.write(formatTable(results));
        process.stdout.write(`\n${scenarios.length} scenarios, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s wall time\n`);
        return EXIT_OK;
      }),
    );
}
