/**
 * The benchmark: every scenario × every controller on the same seed, plus the
 * oracle's row. The oracle is computed once per scenario (it depends only on
 * the provider), so both controllers are measured against the same bound.
 *
 * The default's standing on a scenario: its goodput against the best other
 * controller's ("ahead" or how far behind, and behind whom).
 */
import type { Metrics } from "./metrics";
import { round } from "./metrics";
import { healsOf, oracleFor, runScenario } from "./run";
import { CONTROLLERS, DEFAULT_CONTROLLER, outagesOf, providerFor, startOf, totalRecords, type ControllerName, type Scenario } from "./simulation-scenario";

export const ORACLE = "oracle";

export interface BenchOptions {
  scenarios: readonly Scenario[];
  controllers?: readonly ControllerName[];
  seed?: number;
  /** Called after each run with how many of `total` are done. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** The oracle's own row: the bound itself, its time to finish the backlog as the oldest record's age. */
export function oracleRow(scenario: Scenario): Metrics {
  const oracle = oracleFor(scenario, providerFor(scenario, DEFAULT_CONTROLLER));
  const start = startOf(scenario);
  const finish = oracle.completionTime(totalRecords(scenario));
  const heals = healsOf(scenario, oracle).filter((h) => finish === null || h < finish);
  return {
    scenario: scenario.name,
    controller: ORACLE,
    goodput: 1,
    waste: 0,
    detectS: outagesOf(scenario).length > 0 ? 0 : null,
    recoverS: heals.length > 0 ? 0 : null,
    updatesPerHour: null,
    duplicates: 0,
    lost: finish === null ? null : 0,
    maxRecordAgeS: finish === null ? null : round((finish - start) / 1000, 1),
    breakerOpens: 0,
    falseOpens: 0,
  };
}

export async function runBench(opts: BenchOptions): Promise<{ results: Metrics[] }> {
  const controllers = opts.controllers ?? CONTROLLERS;
  const total = opts.scenarios.length * controllers.length;
  const results: Metrics[] = [];
  let done = 0;
  for (const scenario of opts.scenarios) {
    const oracle = oracleFor(scenario, providerFor(scenario, DEFAULT_CONTROLLER));
    for (const controller of controllers) {
      const run = await runScenario({ scenario, controller, seed: opts.seed }, { oracle });
      results.push(run.metrics);
      opts.onProgress?.(++done, total, `${scenario.name} × ${controller}`);
    }
    results.push(oracleRow(scenario));
  }
  return { results };
}

const show = (v: unknown): string => (v === null || v === undefined ? "—" : String(v));

const COLUMNS: { head: string; key: keyof Metrics }[] = [
  { head: "scenario", key: "scenario" },
  { head: "controller", key: "controller" },
  { head: "goodput", key: "goodput" },
  { head: "waste", key: "waste" },
  { head: "detect s", key: "detectS" },
  { head: "recover s", key: "recoverS" },
  { head: "updates/h", key: "updatesPerHour" },
  { head: "dup", key: "duplicates" },
  { head: "lost", key: "lost" },
  { head: "max age s", key: "maxRecordAgeS" },
  { head: "opens", key: "breakerOpens" },
  { head: "false opens", key: "falseOpens" },
];

/** The default controller's goodput against the best other controller's on the same scenario, for its row. */
export function standing(results: readonly Metrics[], row: Metrics): string {
  if (row.controller !== DEFAULT_CONTROLLER || row.goodput === null) return "";
  const others = results.filter((x) => x.scenario === row.scenario && x.controller !== DEFAULT_CONTROLLER && x.controller !== ORACLE && x.goodput !== null);
  if (others.length === 0) return "";
  const best = others.reduce((a, b) => (b.goodput! > a.goodput! ? b : a));
  const gap = round(row.goodput - best.goodput!, 3);
  if (gap === 0) return `level with ${best.controller}`;
  return gap > 0 ? `ahead (+${gap} on ${best.controller})` : `${gap} behind ${best.controller}`;
}

/** Rows of cells: the header, then one row per result, the default's with its standing. */
function cells(results: readonly Metrics[]): string[][] {
  const rows = [[...COLUMNS.map((c) => c.head), "default vs best other"]];
  for (const r of results) rows.push([...COLUMNS.map((c) => show(r[c.key])), standing(results, r)]);
  return rows;
}

/** A plain-text table for a terminal. */
export function formatTable(results: readonly Metrics[]): string {
  const rows = cells(results);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 2 && i < COLUMNS.length;
  const line = (r: string[]) => r.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n") + "\n";
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function formatMarkdown(results: readonly Metrics[]): string {
  const rows = cells(results);
  const align = rows[0]!.map((_, i) => (i >= 2 && i < COLUMNS.length ? "---:" : "---"));
  return [rows[0]!, align, ...rows.slice(1)].map((r) => `| ${r.join(" | ")} |`).join("\n") + "\n";
}
