import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controllerOption, seedOption } from "../../cli/simulate";
import { formatMarkdown, formatTable, ORACLE, runBench, standing } from "../../sim/bench";
import { CONTROLLERS } from "../../sim/simulation-scenario";
import { METRIC_KEYS, type Metrics } from "../../sim/metrics";
import { tinyScenario, TINY_PROVIDER, T0_ISO } from "./fixtures";

const root = join(__dirname, "..", "..");
const bin = join(root, "bin", "sluice.js");
const sluice = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });

const m = (controller: string, goodput: number | null, waste: number | null): Metrics => ({
  scenario: "s",
  controller,
  goodput,
  waste,
  detectS: null,
  recoverS: null,
  updatesPerHour: null,
  duplicates: 0,
  lost: 0,
  maxRecordAgeS: null,
  breakerOpens: 0,
  falseOpens: 0,
});

describe("sim/bench", () => {
  it("gives every scenario a row per controller and the oracle's, with exactly the metric keys", async () => {
    const { results } = await runBench({ scenarios: [tinyScenario()], seed: 1 });
    expect(results.map((r) => r.controller)).to.deep.equal([...CONTROLLERS, ORACLE]);
    for (const r of results) expect(Object.keys(r)).to.deep.equal([...METRIC_KEYS]);
    expect(results.at(-1)).to.deep.include({ goodput: 1, waste: 0, maxRecordAgeS: 0.1, updatesPerHour: null, breakerOpens: 0, falseOpens: 0 });
    expect(formatTable(results).split("\n")[0]).to.match(/^scenario\s+controller\s+goodput\s+waste/);
    expect(formatMarkdown(results).split("\n")).to.have.length(results.length + 3);
  });

  it("says where the default stands against the best other controller, on its own row only", () => {
    const rows = [m("step", 0.2, 0), m("adaptive", 0.9, 0), m("gradient2", 0.92, 0), m("aimd", 0.5, 0), { ...m(ORACLE, 1, 0) }];
    expect(standing(rows, rows[1]!)).to.equal("-0.02 behind gradient2");
    expect(standing(rows, rows[0]!)).to.equal("");
    const ahead = [m("adaptive", 0.95, 0), m("gradient2", 0.92, 0)];
    expect(standing(ahead, ahead[0]!)).to.equal("ahead (+0.03 on gradient2)");
    const level = [m("adaptive", 0.9, 0), m("aimd", 0.9, 0)];
    expect(standing(level, level[0]!)).to.equal("level with aimd");
  });

  it("reads --controller and --seed, refusing what it cannot use in one line", () => {
    expect(controllerOption("step")).to.equal("step");
    expect(controllerOption("vegas")).to.equal("vegas");
    expect(() => controllerOption("bbr")).to.throw('unknown controller "bbr": expected one of step, adaptive, aimd, vegas, gradient2');
    expect(seedOption("42")).to.equal(42);
    expect(() => seedOption("-1")).to.throw('--seed "-1" is not an integer');
  });
});

describe("sluice simulate and bench", function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), "sluice-sim-cli-"));
  const scenarioFile = join(dir, "tiny.json");
  writeFileSync(
    scenarioFile,
    JSON.stringify({ name: "cli-tiny", start: T0_ISO, horizonHours: 1, provider: TINY_PROVIDER, backlog: [{ records: 40 }], model: { capacity: 4, latency: { medianMs: 200, sigma: 1 } } }),
  );

  it("simulate --json prints the same metrics for the same seed, and --report writes a self-contained HTML chart", () => {
    const report = join(dir, "report.html");
    const first = sluice("simulate", "--scenario", scenarioFile, "--controller", "step", "--seed", "3", "--json", "--report", report);
    const second = sluice("simulate", "--scenario", scenarioFile, "--controller", "step", "--seed", "3", "--json");
    expect(first.status, first.stderr).to.equal(0);
    expect(second.stdout).to.equal(first.stdout);
    expect(Object.keys(JSON.parse(first.stdout) as object)).to.deep.equal([...METRIC_KEYS]);
    const html = readFileSync(report, "utf8");
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.include("<svg").and.include("Fan-out limit and mapping batch size over time");
    expect(html).not.to.match(/<(script|link|img)\b/);
  });

  it("simulate names an unknown scenario in one line and exits 1", () => {
    const r = sluice("simulate", "--scenario", "no-such-scenario");
    expect(r.status).to.equal(1);
    expect(r.stdout).to.equal("");
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    expect(r.stderr).to.match(/^unknown scenario "no-such-scenario": not a built-in \(healthy, /);
  });

  it("simulate --provider runs a catalog entry with the profile local mode gives it; exactly one of --scenario and --provider", () => {
    const catalog = join(dir, "providers.json");
    writeFileSync(
      catalog,
      JSON.stringify({
        providers: [
          {
            id: "small",
            maxConcurrency: 4,
            dailyRequestLimit: 200,
            worker: { module: "chaos", timeoutSeconds: 10, settings: { baseLatencyMs: 100, slowPercentage: 5, slowMs: 800, errorPercentage: 1 } },
          },
        ],
      }),
    );
    const r = sluice("simulate", "--provider", "small", "--catalog", catalog, "--json");
    expect(r.status, r.stderr).to.equal(0);
    const metrics = JSON.parse(r.stdout) as Metrics;
    expect(metrics).to.include({ scenario: "small", controller: "adaptive", duplicates: 0, lost: 0 });
    const unknown = sluice("simulate", "--provider", "nope", "--catalog", catalog);
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr.trim()).to.equal(`unknown provider "nope": ${catalog} declares small`);
    const both = sluice("simulate", "--provider", "small", "--scenario", scenarioFile);
    expect(both.stderr.trim()).to.equal("give either --scenario or --provider (a provider of the catalog)");
    expect(sluice("simulate").stderr.trim()).to.equal("give either --scenario or --provider (a provider of the catalog)");
  });

  it("bench --sweep prints the distribution per controller, and its draws are the same for the same seed", () => {
    // Seed 130's first draw is a small healthy provider: quick to run.
    const r = sluice("bench", "--sweep", "1", "--seed", "130", "--controller", "adaptive", "step", "--json");
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { rows: { draw: number; healthy: boolean; metrics: Metrics }[]; summary: { controller: string; goodputMedian: number; falseOpens: number }[] };
    expect(out.rows.map((x) => [x.draw, x.healthy, x.metrics.controller])).to.deep.equal([
      [0, true, "adaptive"],
      [0, true, "step"],
    ]);
    expect(out.summary.map((x) => x.controller)).to.deep.equal(["adaptive", "step"]);
    expect(out.summary[0]!.falseOpens).to.equal(0);
    expect(sluice("bench", "--sweep", "1", "--seed", "130", "--controller", "adaptive", "step", "--json").stdout).to.equal(r.stdout);
    expect(sluice("bench", "--sweep", "0").stderr.trim()).to.equal('--sweep "0" is not a number of draws from 1 to 10000');
  });

  it("bench --markdown writes its table between the file's markers, and refuses a file without them", () => {
    const doc = join(dir, "bench.md");
    writeFileSync(doc, "# title\n\n<!-- sluice bench: scenarios -->\nold\n<!-- /sluice bench: scenarios -->\n\nafter\n");
    const r = sluice("bench", "--scenario", scenarioFile, "--controller", "adaptive", "--markdown", doc);
    expect(r.status, r.stderr).to.equal(0);
    const text = readFileSync(doc, "utf8");
    expect(text).to.match(/^# title\n\n<!-- sluice bench: scenarios -->\nGenerated by `sluice bench --scenario .*tiny\.json --controller adaptive --markdown` \(seed 1\)\./);
    expect(text).to.include("| cli-tiny | adaptive |").and.include("| cli-tiny | oracle |").and.match(/<!-- \/sluice bench: scenarios -->\n\nafter\n$/);
    expect(text).not.to.include("old");
    const bare = join(dir, "bare.md");
    writeFileSync(bare, "no markers\n");
    const refused = sluice("bench", "--scenario", scenarioFile, "--controller", "adaptive", "--markdown", bare);
    expect(refused.status).to.equal(1);
    expect(refused.stderr.trim()).to.equal(`${bare} has no "<!-- sluice bench: scenarios -->" … "<!-- /sluice bench: scenarios -->" section to write`);
  });

  it("bench --json prints only {\"results\":[...]} on stdout", () => {
    const r = sluice("bench", "--json", "--scenario", scenarioFile);
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { results: Metrics[] };
    expect(Object.keys(out)).to.deep.equal(["results"]);
    expect(out.results.map((x) => `${x.scenario}/${x.controller}`)).to.deep.equal([...CONTROLLERS.map((c) => `cli-tiny/${c}`), "cli-tiny/oracle"]);
    for (const x of out.results) expect(Object.keys(x)).to.deep.equal([...METRIC_KEYS]);
  });
});
