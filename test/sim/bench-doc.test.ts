/**
 * The figures committed in docs/benchmarks.md are the code's: this reruns the
 * cheapest rows of each generated table and compares them cell by cell. A
 * change that moves them fails here until `sluice bench --markdown` (and
 * `sluice bench --sweep N --markdown`) have been run and committed.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatMarkdown } from "../../sim/bench";
import { BENCH_DOC, replaceSection, scenarioList, sectionOf, tablesOf } from "../../sim/bench-doc";
import { runScenario } from "../../sim/run";
import { BUILT_IN_SCENARIOS, builtInScenario } from "../../sim/scenarios";
import { sweepDraw } from "../../sim/sweep";
import type { ControllerName } from "../../sim/simulation-scenario";

const doc = readFileSync(join(__dirname, "..", "..", BENCH_DOC), "utf8");

/** Rows cheap enough to rerun here (a few seconds each). */
const SCENARIO_ROWS: { scenario: string; controller: ControllerName }[] = [
  { scenario: "tail-cap-1", controller: "adaptive" },
  { scenario: "tail-cap-1", controller: "step" },
];
const SWEEP_CONTROLLER: ControllerName = "adaptive";

const seedOf = (section: string): number => Number(/\(seed (\d+)/.exec(section)?.[1] ?? NaN);

describe(`${BENCH_DOC}: the committed figures are what the code produces`, function () {
  this.timeout(120_000);

  it("lists the built-in scenarios as the code defines them", () => {
    expect(sectionOf(doc, "scenarios")).to.include(scenarioList(BUILT_IN_SCENARIOS));
  });

  const scenarios = sectionOf(doc, "scenarios");
  const seed = seedOf(scenarios);
  const table = tablesOf(scenarios)[0]!;
  for (const row of SCENARIO_ROWS) {
    it(`${row.scenario} × ${row.controller} (seed ${seed})`, async () => {
      const committed = table.find((cells) => cells[0] === row.scenario && cells[1] === row.controller);
      expect(committed, "the row is missing from the table").to.not.equal(undefined);
      const run = await runScenario({ scenario: builtInScenario(row.scenario)!, controller: row.controller, seed });
      const produced = tablesOf(formatMarkdown([run.metrics]))[0]![0]!;
      // The last column compares the default with the other rows; it is checked where they all are.
      expect(committed!.slice(0, -1)).to.deep.equal(produced.slice(0, -1));
    });
  }

  const sweep = sectionOf(doc, "sweep");
  const sweepSeed = seedOf(sweep);
  const draws = tablesOf(sweep)[1]!;
  it(`the sweep's cheapest draw × ${SWEEP_CONTROLLER} (seed ${sweepSeed})`, async () => {
    const header = sweep.split("\n").find((l) => l.startsWith("| draw |"))!.split("|").map((c) => c.trim());
    const column = header.indexOf(SWEEP_CONTROLLER) - 1;
    const cheapest = draws
      .map((cells) => ({ index: Number(cells[0]), draw: sweepDraw(sweepSeed, Number(cells[0])) }))
      .sort((a, b) => a.draw.scenario.backlog[0]!.records - b.draw.scenario.backlog[0]!.records)[0]!;
    const committed = draws.find((cells) => Number(cells[0]) === cheapest.index)!;
    expect(committed[1]).to.equal(cheapest.draw.scenario.description);
    const run = await runScenario({ scenario: cheapest.draw.scenario, controller: SWEEP_CONTROLLER, seed: sweepSeed });
    expect(committed[column]).to.equal(String(run.metrics.goodput));
  });

  it("rewrites only between a section's markers", () => {
    const text = "intro\n<!-- sluice bench: sweep -->\nold\n<!-- /sluice bench: sweep -->\noutro\n";
    expect(replaceSection(text, "sweep", "new\n")).to.equal("intro\n<!-- sluice bench: sweep -->\nnew\n<!-- /sluice bench: sweep -->\noutro\n");
    expect(() => replaceSection("no markers", "scenarios", "x")).to.throw(/has no "<!-- sluice bench: scenarios -->"/);
  });
});
