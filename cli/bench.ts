/**
 * `sluice bench`: every built-in scenario × every controller, plus the
 * oracle's bound; or, with --sweep N, N providers drawn at random. A table
 * for people; `--json` prints {"results":[...]} (or {"rows","summary"}) and
 * nothing else on stdout; `--markdown` writes the figures into
 * docs/benchmarks.md between its markers (progress goes to stderr, on a
 * terminal only).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatTable, runBench } from "../sim/bench";
import { BENCH_DOC, replaceSection, scenariosSection, sweepSection } from "../sim/bench-doc";
import { DEFAULT_SEED } from "../sim/run";
import { CONTROLLERS, type ControllerName } from "../sim/simulation-scenario";
import { BUILT_IN_SCENARIOS, resolveScenario } from "../sim/scenarios";
import { runSweep, sweepDraw, type SweepSummary } from "../sim/sweep";
import { CliInputError } from "./errors";
import { EXIT_OK } from "./output";
import { startProgress } from "./progress";
import { controllerOption, scenarioList, seedOption } from "./simulate";

interface BenchOptions {
  json?: boolean;
  seed: string;
  scenario?: string[];
  controller?: string[];
  sweep?: string;
  markdown?: string | boolean;
  progress: boolean;
}

function drawsOption(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 10_000) throw new CliInputError([`--sweep "${text}" is not a number of draws from 1 to 10000`]);
  return n;
}

function writeSection(file: string, section: "scenarios" | "sweep", body: string): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliInputError([`--markdown ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  writeFileSync(file, replaceSection(text, section, body, file));
}

function sweepTable(summary: readonly SweepSummary[]): string {
  const head = ["controller", "runs", "goodput min", "p10", "median", "healthy opens", "false opens", "dup", "lost"];
  const rows = summary.map((s) => [s.controller, s.runs, s.goodputMin.toFixed(3), s.goodputP10.toFixed(3), s.goodputMedian.toFixed(3), s.healthyOpens, s.falseOpens, s.duplicates, s.lost].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

export function registerBench(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("bench")
    .description("simulate every built-in scenario (or --sweep N random providers) with every controller and compare them with the oracle")
    .option("--json", 'print {"results":[...]} as JSON (with --sweep: {"rows":[...],"summary":[...]})')
    .option("--seed <n>", "random seed shared by every run", String(DEFAULT_SEED))
    .option("-s, --scenario <name|file...>", "only these scenarios (built-in names or files)")
    .option("-c, --controller <name...>", `only these controllers (${CONTROLLERS.join(", ")})`)
    .option("--sweep <n>", "run N providers drawn at random (sim/sweep.ts) instead of the scenarios")
    .option("--markdown [file]", `write the figures into ${BENCH_DOC} (or the file given) between its markers`)
    .option("--no-progress", "no progress bar on stderr")
    .addHelpText("after", `\nBuilt-in scenarios:\n${scenarioList()}\n`)
    .action((opts: BenchOptions) =>
      run(async () => {
        const seed = seedOption(opts.seed);
        const controllers: readonly ControllerName[] = opts.controller ? opts.controller.map(controllerOption) : CONTROLLERS;
        const markdown = opts.markdown === undefined || opts.markdown === false ? null : opts.markdown === true ? BENCH_DOC : opts.markdown;
        const started = Date.now();
        const command = [
          "sluice bench",
          ...(opts.sweep ? [`--sweep ${opts.sweep}`] : []),
          ...(opts.scenario ? [`--scenario ${opts.scenario.join(" ")}`] : []),
          ...(opts.controller ? [`--controller ${opts.controller.join(" ")}`] : []),
          ...(seed !== DEFAULT_SEED ? [`--seed ${seed}`] : []),
          "--markdown",
        ].join(" ");

        if (opts.sweep !== undefined) {
          if (opts.scenario) throw new CliInputError(["give either --sweep or --scenario"]);
          const draws = drawsOption(opts.sweep);
          const bar = startProgress({ unit: "runs", label: "sweep", total: draws * controllers.length, minTotal: 2, enabled: opts.progress });
          const { rows, summary } = await runSweep({ draws, seed, controllers, onProgress: (done) => bar.update(done) });
          bar.stop();
          if (markdown) {
            const descriptions = Array.from({ length: draws }, (_, i) => sweepDraw(seed, i).scenario.description);
            writeSection(markdown, "sweep", sweepSection(rows, summary, seed, command, descriptions));
          }
          if (opts.json) {
            process.stdout.write(JSON.stringify({ rows, summary }) + "\n");
            return EXIT_OK;
          }
          process.stdout.write(sweepTable(summary));
          process.stdout.write(`\n${draws} draws, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s wall time${markdown ? `; written to ${markdown}` : ""}\n`);
          return EXIT_OK;
        }

        const scenarios = opts.scenario ? opts.scenario.map(resolveScenario) : [...BUILT_IN_SCENARIOS];
        const bar = startProgress({ unit: "runs", label: "bench", total: scenarios.length * controllers.length, minTotal: 2, enabled: opts.progress });
        const { results } = await runBench({ scenarios, seed, controllers, onProgress: (done) => bar.update(done) });
        bar.stop();
        if (markdown) writeSection(markdown, "scenarios", scenariosSection(scenarios, results, seed, command));
        if (opts.json) {
          process.stdout.write(JSON.stringify({ results }) + "\n");
          return EXIT_OK;
        }
        process.stdout.write(formatTable(results));
        process.stdout.write(`\n${scenarios.length} scenarios, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s wall time${markdown ? `; written to ${markdown}` : ""}\n`);
        return EXIT_OK;
      }),
    );
}
