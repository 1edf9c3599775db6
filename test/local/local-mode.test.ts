/**
 * `sluice local` in pieces (durations, scenario files, compression, clocks,
 * plans, summary, view, report) and whole: a short run on the real engines
 * through the command's main function, and Ctrl-C on a child process.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localRunOptions, runLocalCommand } from "../../cli/local";
import { main } from "../../cli/main";
import { loadCatalog } from "../../runtime/catalog/load";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { providerDay, windowStatus } from "../../runtime/windows/clock";
import { builtInScenario } from "../../local/mode/defaults";
import { parseDuration } from "../../local/mode/duration";
import { JavaMissingError, LocalOptionError, LocalScenarioError } from "../../local/mode/errors";
import { notableEvent } from "../../local/mode/events";
import { checkJava, javaMajor } from "../../local/mode/java";
import { planProvider, selectProviders } from "../../local/mode/plan";
import { renderReport } from "../../local/mode/local-report";
import { applyStep, validateLocalScenario } from "../../local/mode/local-scenario";
import { fetchedTwice, summarizeProvider, type LocalSummary } from "../../local/mode/summary";
import { compressEntry, latencyFactor, LATENCY_FLOOR_MS, resolvedEntry } from "../../local/mode/time-compression";
import { PlainView, progressBar, providerLine } from "../../local/mode/view";
import { localStart } from "../../local/mode/window-start";
import type { ProviderSnapshot } from "../../local/mode/provider-run";
import { eventually } from "../support/eventually";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "sluice-local-test-"));

function chaosEntry(overrides: Partial<ProviderInput> = {}): ProviderInput {
  return {
    id: "tiny",
    maxConcurrency: 5,
    maxFanOut: 5,
    latencyThresholdMs: 1_000,
    worker: { module: "chaos", timeoutSeconds: 5, settings: { baseLatencyMs: 5, slowPercentage: 0, errorPercentage: 0 } },
    ...overrides,
  };
}

function writeCatalog(name: string, providers: ProviderInput[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ providers }));
  return path;
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const HOUR = 3_600_000;

describe("sluice local", function () {
  describe("durations", () => {
    const table: [string | number, number | null][] = [
      ["30s", 30_000],
      ["1m30s", 90_000],
      ["500ms", 500],
      ["2h", 7_200_000],
      ["10m", 600_000],
      ["45", 45_000],
      [1.5, 1_500],
      ["", null],
      ["3x", null],
      ["s", null],
      [-1, null],
    ];
    for (const [text, ms] of table) it(`reads ${JSON.stringify(text)} as ${ms === null ? "not a duration" : `${ms} ms`}`, () => expect(parseDuration(text)).to.equal(ms));
  });

  describe("scenario files", () => {
    const known = ["demo", "meridian-funds"];
    const fails = (raw: unknown): string => {
      try {
        validateLocalScenario(raw, "bad.json", known);
      } catch (err) {
        expect(err).to.be.instanceOf(LocalScenarioError);
        const message = (err as Error).message;
        expect(message.split("\n")).to.have.length(1);
        return message;
      }
      throw new Error("the scenario was accepted");
    };

    it("accepts an array of steps and sorts them by time", () => {
      const scenario = validateLocalScenario(
        [
          { at: "90s", provider: "demo", set: { errorPercentage: 0 } },
          { at: "30s", provider: "demo", set: { errorPercentage: 100 } },
        ],
        "ok.json",
        known,
      );
      expect(scenario.steps.map((s) => s.atMs)).to.deep.equal([30_000, 90_000]);
      expect(scenario.steps[0]!.set).to.deep.equal({ errorPercentage: 100 });
    });

    it("accepts an object with a description, a step for every provider and a reset", () => {
      const scenario = validateLocalScenario({ description: "d", steps: [{ at: 5, set: { slowPercentage: 50 } }, { at: "10s", reset: true }] }, "ok.json", known);
      expect(scenario.description).to.equal("d");
      expect(scenario.steps[0]!.provider).to.equal(undefined);
      expect(scenario.steps[1]!.reset).to.equal(true);
    });

    const bad: [string, unknown, RegExp][] = [
      ["a share above 100", [{ at: "30s", provider: "demo", set: { errorPercentage: 200 } }], /^bad\.json: step 1 \(at "30s"\): set\.errorPercentage 200 is above the maximum 100$/],
      ["a negative latency", [{ at: "1s", set: { slowMs: -5 } }], /step 1 .*set\.slowMs -5 is below the minimum 0/],
      ["an unknown chaos setting", [{ at: "1s", set: { errorRate: 5 } }], /step 1 .*unknown field "set\.errorRate"/],
      ["an unknown step field", [{ at: "1s", reset: true, when: "now" }], /step 1 .*unknown field "when"/],
      ["a missing time", [{ provider: "demo", reset: true }], /step 1: at is required/],
      ["a time that is not a duration", [{ at: "soon", reset: true }], /step 1 \(at "soon"\): at "soon" is not a duration/],
      ["a step that changes nothing", [{ at: "1s", provider: "demo" }], /step 1 .*needs "set" or "reset": true/],
      ["a provider the catalog lacks", [{ at: "1s", reset: true }, { at: "2s", provider: "acme", reset: true }], /step 2 \(at "2s"\): provider "acme" is not in the catalog \(known: demo, meridian-funds\)/],
      ["not a list of steps", "outage", /expected an array of steps or an object with "steps"/],
    ];
    for (const [what, raw, message] of bad) it(`rejects ${what}, naming the field on one line`, () => expect(fails(raw)).to.match(message));

    it("rejects a file that is not JSON, and one that does not exist", () => {
      const notJson = join(dir, "not-json.json");
      writeFileSync(notJson, "{ steps: [");
      expect(() => localRunOptions({ catalog: join(root, "providers.json"), scenario: notJson })).to.throw(LocalScenarioError, /not-json\.json: not JSON/);
      expect(() => localRunOptions({ catalog: join(root, "providers.json"), scenario: join(dir, "absent.json") })).to.throw(LocalScenarioError, /absent\.json: no such file/);
    });

    it("exits 1 with the one line before any engine starts", async () => {
      const path = writeJson("bad-share.json", [{ at: "30s", provider: "demo", set: { errorPercentage: 200 } }]);
      const errors: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
      let code: number;
      try {
        code = await main(["node", "sluice", "local", "--catalog", join(root, "providers.json"), "--scenario", path, "--json"]);
      } finally {
        process.stderr.write = write;
      }
      expect(code).to.equal(1);
      expect(errors.join("")).to.equal(`${path}: step 1 (at "30s"): set.errorPercentage 200 is above the maximum 100\n`);
    });

    it("ships an example the shipped catalog accepts", () => {
      const catalog = loadCatalog(join(root, "providers.json"));
      const options = localRunOptions({ catalog: join(root, "providers.json"), scenario: join(root, "examples", "outage.scenario.json") });
      expect(options.scenario?.steps.map((s) => s.provider)).to.deep.equal(["demo", "demo"]);
      expect(builtInScenario(catalog.providers.map((p) => p.id)).steps.length).to.be.greaterThan(0);
    });

    it("a reset returns to the starting profile before applying its own changes", () => {
      const start = { baseLatencyMs: 40, slowPercentage: 5, slowMs: 1_500, errorPercentage: 2, throttlePercentage: 0 };
      const down = applyStep(start, start, { set: { errorPercentage: 100 } });
      expect(down.errorPercentage).to.equal(100);
      expect(applyStep(down, start, { reset: true })).to.deep.equal(start);
      expect(applyStep(down, start, { reset: true, set: { slowMs: 10 } })).to.deep.equal({ ...start, slowMs: 10 });
    });
  });

  describe("options", () => {
    const catalog = join(root, "providers.json");
    const table: [string, Record<string, string>, RegExp][] = [
      ["--records 0", { records: "0" }, /^sluice local: --records "0" must be a whole number from 1 to 100000$/],
      ["--speed fast", { speed: "fast" }, /^sluice local: --speed "fast" must be a number/],
      ["--timeout soon", { timeout: "soon" }, /^sluice local: --timeout "soon" must be a duration/],
      ["--providers ,", { providers: "," }, /^sluice local: --providers "," names no provider$/],
    ];
    for (const [what, cli, message] of table) it(`rejects ${what} naming the option`, () => expect(() => localRunOptions({ catalog, ...cli })).to.throw(LocalOptionError, message));

    it("rejects a provider the catalog lacks, listing the known ones", () => {
      expect(() => selectProviders(loadCatalog(catalog), ["acme"])).to.throw(LocalOptionError, /--providers "acme" is not in the catalog \(known: demo, meridian-funds, pacific-registry\)/);
    });

    it("runs every enabled provider by default, with the built-in scenario", () => {
      const options = localRunOptions({ catalog });
      expect(selectProviders(options.catalog, options.providerIds).map((p) => p.id)).to.deep.equal(["demo", "meridian-funds"]);
      expect(options.scenario?.source).to.equal("built-in");
      expect(localRunOptions({ catalog, scenario: false }).scenario).to.equal(null);
    });
  });

  describe("time compression", () => {
    it("divides intervals by the speed and latencies by the capped factor, and the catalog still accepts the result", () => {
      const declared = validateProvider(chaosEntry({ latencyThresholdMs: 20_000, worker: { module: "chaos", timeoutSeconds: 90 }, controller: { strategy: "adaptive", minUpdateIntervalSeconds: 60 } }));
      const factor = latencyFactor(declared.latencyThresholdMs, 120);
      expect(factor).to.equal(20_000 / LATENCY_FLOOR_MS);
      const local = validateProvider(compressEntry(resolvedEntry(declared), 120, factor));
      expect(local.latencyThresholdMs).to.equal(LATENCY_FLOOR_MS);
      expect(local.worker.timeoutSeconds).to.equal(Math.ceil(90 / factor));
      if (local.controller.strategy !== "adaptive") throw new Error("strategy changed");
      expect(local.controller.breaker.baseIntervalMinutes).to.be.closeTo(10 / 120, 1e-9);
      expect(local.controller.breaker.maxIntervalMinutes).to.be.closeTo(160 / 120, 1e-9);
      expect(local.controller.minUpdateIntervalSeconds).to.equal(1);
    });

    it("never compresses a threshold below the floor, nor stretches one already below it", () => {
      expect(latencyFactor(LATENCY_FLOOR_MS / 2, 120)).to.equal(1);
      expect(latencyFactor(LATENCY_FLOOR_MS * 4, 2)).to.equal(2);
    });

    it("leaves the step strategy's settings as they are: it re-enables at the next tick of the compressed schedule", () => {
      const declared = validateProvider(chaosEntry({ controller: { strategy: "step" } }));
      const local = validateProvider(compressEntry(resolvedEntry(declared), 1_000, 1));
      expect(local.controller).to.deep.equal({ strategy: "step" });
    });
  });

  describe("plans", () => {
    const catalog = loadCatalog(join(root, "providers.json"));
    const meridian = catalog.providers.find((p) => p.id === "meridian-funds")!;
    const plan = planProvider(meridian, { speed: 120, runMs: 10 * 60_000, realClock: false, now: Date.UTC(2026, 10, 26, 12, 0) });

    it("runs an http provider on the chaos worker with a derived profile, and says so", () => {
      expect(plan.provider.worker.module).to.equal("chaos");
      expect(plan.profile.baseLatencyMs).to.equal(meridian.latencyThresholdMs / 10);
      expect(plan.notes.join("\n")).to.match(/http worker simulated locally/);
    });

    it("emulates parallelization as more shards with the same batches in flight", () => {
      expect(plan.provider.parallelizationFactor).to.equal(1);
      expect(plan.provider.shardCount).to.equal(meridian.shardCount * meridian.parallelizationFactor);
      expect(plan.provider.concurrentBatches).to.equal(meridian.concurrentBatches);
      expect(plan.notes.join("\n")).to.match(/emulated as 2 shards/);
    });

    it("starts a windowed provider's clock when it is open, unless --real-clock", () => {
      expect(plan.clockStart).to.not.equal(null);
      expect(windowStatus(meridian, plan.clockStart!).open).to.equal(true);
      const real = planProvider(meridian, { speed: 120, runMs: 60_000, realClock: true, now: Date.UTC(2026, 10, 26, 12, 0) });
      expect(real.clockStart).to.equal(null);
    });

    it("runs a provider declared disabled when it is named, enabled", () => {
      const pacific = catalog.providers.find((p) => p.id === "pacific-registry")!;
      const p = planProvider(pacific, { speed: 10, runMs: 60_000, realClock: false, now: Date.now() });
      expect(p.provider.enabled).to.equal(true);
      expect(p.notes.join("\n")).to.match(/declared disabled/);
    });
  });

  describe("clock start", () => {
    const london = validateProvider(
      chaosEntry({ timezone: "Europe/London", accessWindows: [{ start: "20:00", end: "06:00" }], maintenanceWindows: [{ day: "sun", start: "01:00", end: "04:00" }] }),
    );
    const table: [string, number, number][] = [
      ["a Thursday noon waits for 20:00", Date.UTC(2026, 10, 26, 12, 0), Date.UTC(2026, 10, 26, 20, 0)],
      ["inside the window with time to spare starts now", Date.UTC(2026, 10, 26, 21, 0), Date.UTC(2026, 10, 26, 21, 0)],
      ["23:55 would cross the provider's midnight: starts at 00:00", Date.UTC(2026, 10, 26, 23, 55), Date.UTC(2026, 10, 27, 0, 0)],
      ["05:55 closes too soon: the next evening", Date.UTC(2026, 10, 27, 5, 55), Date.UTC(2026, 10, 27, 20, 0)],
      ["Sunday 00:55, maintenance at 01:00: after it, at 04:00", Date.UTC(2026, 10, 29, 0, 55), Date.UTC(2026, 10, 29, 4, 0)],
    ];
    for (const [what, now, expected] of table) it(what, () => expect(new Date(localStart(london, now, 10 * 60_000)).toISOString()).to.equal(new Date(expected).toISOString()));

    it("every start is open for the whole run and within one provider day", () => {
      for (let h = 0; h < 24 * 7; h += 5) {
        const now = Date.UTC(2026, 2, 23) + h * HOUR;
        const start = localStart(london, now, 10 * 60_000);
        expect(start).to.be.at.least(now);
        for (let t = start; t <= start + 10 * 60_000; t += 60_000) expect(windowStatus(london, t).open, new Date(t).toISOString()).to.equal(true);
        expect(providerDay("Europe/London", start)).to.equal(providerDay("Europe/London", start + 10 * 60_000));
      }
    });
  });

  describe("summary, events, view, report", () => {
    const calls = [
      { recordId: "a", startedAt: 0, endedAt: 5, outcome: "ok" as const },
      { recordId: "b", startedAt: 0, endedAt: 5, outcome: "error" as const },
      { recordId: "b", startedAt: 6, endedAt: 9, outcome: "ok" as const },
      { recordId: "c", startedAt: 0, endedAt: 5, outcome: "ok" as const },
      { recordId: "c", startedAt: 7, endedAt: 9, outcome: "ok" as const },
    ];

    it("counts as fetched twice only records answered ok more than once", () => expect(fetchedTwice(calls)).to.equal(1));

    it("summarizes batch sizes from the mapping's setting and counts breaker openings", () => {
      const lines = [
        { atMs: 1, line: { message: "batch", action: "open-breaker" } },
        { atMs: 2, line: { message: "schedule", outcome: "probe" } },
        { atMs: 3, line: { message: "batch", action: "open-breaker" } },
        { atMs: 4, line: { message: "batch", action: "close" } },
      ];
      const s = summarizeProvider({ id: "p", enqueued: 3, settlement: { done: 3, dead: 0 }, calls, batches: [{ batchSizeSetting: 4 }, { batchSizeSetting: 1 }, { batchSizeSetting: 7 }], lines });
      expect(s).to.deep.equal({ id: "p", enqueued: 3, done: 3, dead: 0, fetchedTwice: 1, maxMappingBatchSize: 7, minMappingBatchSize: 1, breakerOpened: 2 });
      expect(summarizeProvider({ id: "q", enqueued: 0, settlement: { done: 0, dead: 0 }, calls: [], batches: [], lines: [] }).maxMappingBatchSize).to.equal(null);
    });

    it("turns breaker and window log lines into events", () => {
      expect(notableEvent({ atMs: 1, line: { message: "batch", action: "open-breaker", limitUsed: 1 } })?.kind).to.equal("breaker-open");
      expect(notableEvent({ atMs: 1, line: { message: "schedule", outcome: "probe" } })?.kind).to.equal("probe");
      expect(notableEvent({ atMs: 1, line: { message: "schedule", outcome: "paused-for-window", window: "outside-window" } })?.text).to.match(/paused/);
      expect(notableEvent({ atMs: 1, line: { message: "batch", action: "keep" } })).to.equal(null);
    });

    const snapshot: ProviderSnapshot = {
      atMs: 5_000,
      enqueued: 100,
      done: 50,
      failed: 3,
      dead: 10,
      batchSize: 8,
      mappingState: "Disabled",
      limit: 1,
      inFlight: 0,
      breaker: "open",
      probeInMs: 4_000,
      pause: null,
      window: { open: false, reason: "maintenance", opensInMs: 2 * HOUR },
    };

    it("shows the mapping batch size, the fan-out limit, in flight, done/failed/dead, breaker and window on one line", () => {
      const line = providerLine({ id: "demo", snapshot, finished: false }, 6, 20);
      expect(line).to.include("50/100 done  dead 10  failed 3");
      expect(line).to.include("mapping batch  8 (disabled)  fan-out  1  in flight  0");
      expect(line).to.include("breaker OPEN (probe in 4 s)");
      expect(line).to.include("window maintenance, opens in 2 h");
      expect(progressBar(50, 10, 100, 10)).to.equal("█████▒░░░░");
    });

    it("prints plain lines no more often than asked, and every event", () => {
      const out: string[] = [];
      const view = new PlainView({ write: (t: string) => out.push(t) }, 5_000);
      view.update(0, [{ id: "demo", snapshot, finished: false }]);
      view.update(1_000, [{ id: "demo", snapshot, finished: false }]);
      view.event(1_500, "demo", "breaker opened");
      view.update(5_000, [{ id: "demo", snapshot, finished: false }]);
      expect(out).to.have.length(3);
      expect(out[1]).to.equal("[0:01] demo: breaker opened\n");
    });

    it("writes a self-contained report: inline SVG, no external src or href", () => {
      const catalog = loadCatalog(join(root, "providers.json"));
      const plan = planProvider(catalog.providers[0]!, { speed: 120, runMs: 60_000, realClock: true, now: Date.now() });
      const summary: LocalSummary = {
        providers: [{ id: plan.provider.id, enqueued: 100, done: 90, dead: 10, fetchedTwice: 0, maxMappingBatchSize: 10, minMappingBatchSize: 1, breakerOpened: 1 }],
        stoppedBy: "done",
        wallSeconds: 30,
      };
      const t0 = Date.now();
      const html = renderReport({
        summary,
        speed: 120,
        scenario: null,
        startedAt: t0,
        t0,
        runs: [
          {
            id: plan.provider.id,
            plan,
            clockOffsetMs: 0,
            steps: [{ atMs: 10_000, text: "errorPercentage 100 <&>" }],
            snapshots: [snapshot, { ...snapshot, atMs: 9_000, breaker: "closed" }],
            lines: [{ atMs: 3_000, line: { message: "batch", Limit: 10, InFlight: 10, Ok: 9, Error: 1, LatencyP50: 40, LatencyP95: 900, action: "keep" } }],
            pipeline: { calls: calls.map((c) => ({ ...c, startedAt: t0 + c.startedAt * 1_000, endedAt: t0 + c.endedAt * 1_000 })), mapping: { poller: { batches: [{ readAt: t0 + 1_000, batchSizeSetting: 10 }] } } },
          },
        ],
      });
      expect(html).to.match(/^<!doctype html>/);
      expect((html.match(/<svg viewBox/g) ?? []).length).to.equal(5);
      expect(html).to.not.match(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(html).to.not.match(/<script|<link|@import/i);
      expect(html).to.include("errorPercentage 100 &lt;&amp;&gt;");
    });
  });

  describe("java", () => {
    const table: [string, number | null][] = [
      ['openjdk version "17.0.15" 2025-04-15', 17],
      ['java version "1.8.0_292"', 8],
      ['openjdk version "21" 2023-09-19', 21],
      ["no version here", null],
    ];
    for (const [text, major] of table) it(`reads Java ${major ?? "nothing"} from ${JSON.stringify(text)}`, () => expect(javaMajor(text)).to.equal(major));

    it("fails with one line that says how to install Java when it is missing", () => {
      expect(() => checkJava("sluice-no-such-java")).to.throw(JavaMissingError, /^sluice local needs Java for DynamoDB Local, and `sluice-no-such-java` is not on PATH: install Java 17 or newer \(Debian\/Ubuntu: sudo apt-get install openjdk-17-jre-headless[^\n]*$/);
    });
  });

  describe("on the local engines", function () {
    this.timeout(90_000);

    it("runs a small provider to the end: every record done, none fetched twice; a closed provider waits and the run reports it unfinished at --timeout", async () => {
      const now = new Date();
      const hhmm = (h: number) => `${String((now.getUTCHours() + h) % 24).padStart(2, "0")}:00`;
      const catalog = writeCatalog("catalog.json", [
        chaosEntry(),
        chaosEntry({ id: "closed", accessWindows: [{ start: hhmm(2), end: hhmm(3) }] }),
      ]);
      const report = join(dir, "report.html");
      const out: string[] = [];
      const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } };
      const code = await runLocalCommand({ catalog, records: "30", speed: "200", timeout: "15s", report, json: true, realClock: true, scenario: false }, io);

      expect(code).to.equal(1);
      expect(out).to.have.length(1);
      const summary = JSON.parse(out[0]!) as LocalSummary;
      expect(summary.stoppedBy).to.equal("timeout");
      const [tiny, closed] = summary.providers;
      expect(Object.keys(tiny!)).to.deep.equal(["id", "enqueued", "done", "dead", "fetchedTwice", "maxMappingBatchSize", "minMappingBatchSize", "breakerOpened"]);
      expect(tiny).to.include({ id: "tiny", enqueued: 30, done: 30, dead: 0, fetchedTwice: 0, breakerOpened: 0 });
      expect(tiny!.maxMappingBatchSize).to.be.at.least(5);
      expect(closed).to.include({ id: "closed", enqueued: 30, done: 0, dead: 0, fetchedTwice: 0 });

      expect(existsSync(report)).to.equal(true);
      const html = readFileSync(report, "utf8");
      expect(html).to.include("tiny: fan-out limit over time");
      expect(html).to.not.match(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    });

    it("Ctrl-C on the command stops every engine it started and exits 130", async () => {
      const catalog = writeCatalog("catalog-sigint.json", [chaosEntry()]);
      const child = spawn(process.execPath, [join(root, "bin", "sluice.js"), "local", "--catalog", catalog, "--records", "3000", "--speed", "1", "--no-report", "--no-scenario"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        await eventually(() => output, () => /enqueueing/.test(output), 60_000, 100);
        const engines = descendants(child.pid!);
        expect(engines.length, "engine processes").to.be.at.least(3);
        child.kill("SIGINT");
        expect(await exited).to.equal(130);
        await eventually(() => `still running: ${engines.filter(alive).join(", ")}`, () => engines.every((pid) => !alive(pid)), 10_000, 100);
        expect(output).to.match(/interrupted/);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    });
  });
});

/** Every process below `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents) if (parent === p) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

