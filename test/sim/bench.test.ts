import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controllerOption, seedOption } from "../../cli/simulate";
import { formatMarkdown, formatTable, ORACLE, runBench, standing } from "../../sim/bench";
import { CONTROLLERS } from "../../sim/scenario";
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

  it("bench --json prints only {\"results\":[...]} on stdout", () => {
    const r = sluice("bench", "--json", "--scenario", scenarioFile);
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { results: Metrics[] };
    expect(Object.keys(out)).to.deep.equal(["results"]);
    expect(out.results.map((x) => `${x.scenario}/${x.controller}`)).to.deep.equal([...CONTROLLERS.map((c) => `cli-tiny/${c}`), "cli-tiny/oracle"]);
    for (const x of out.results) expect(Object.keys(x)).to.deep.equal([...METRIC_KEYS]);
  });
});
