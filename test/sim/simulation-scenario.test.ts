import { expect } from "chai";
import { CONTROLLERS } from "../../sim/simulation-scenario";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, outagesOf, providerFor, ScenarioError, validateScenario } from "../../sim/simulation-scenario";
import { BUILT_IN_SCENARIOS, resolveScenario, SCENARIO_NAMES } from "../../sim/scenarios";
import { TINY_PROVIDER, T0_ISO } from "./fixtures";

const valid = {
  name: "file-scenario",
  start: T0_ISO,
  provider: TINY_PROVIDER,
  backlog: [{ records: 10 }],
  model: { capacity: 4, latency: { medianMs: 100 } },
};

function problems(raw: unknown): string[] {
  try {
    validateScenario(raw, "s.json");
  } catch (err) {
    expect(err).to.be.instanceOf(ScenarioError);
    return [...(err as ScenarioError).problems];
  }
  throw new Error("expected the scenario to be refused");
}

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "sluice-sim-")), "scenario.json");
  writeFileSync(path, content);
  return path;
}

describe("sim/scenario files", () => {
  it("loads a valid file, filling defaults", () => {
    const s = loadScenarioFile(file(JSON.stringify(valid)));
    expect(s).to.deep.include({ name: "file-scenario", horizonHours: 48 });
    expect(s.model.latency.sigma).to.equal(1);
    expect(s.model.capacity).to.deep.equal({ shape: "step", points: [{ atMinute: 0, value: 4 }] });
  });

  const cases: { name: string; patch: (s: typeof valid) => unknown; says: string }[] = [
    { name: "a missing field", patch: ({ backlog: _b, ...rest }) => rest, says: "s.json: backlog is required" },
    { name: "an unknown field", patch: (s) => ({ ...s, model: { ...s.model, capcity: 3 } }), says: 's.json: unknown field "model.capcity"' },
    {
      name: "profile points out of order",
      patch: (s) => ({ ...s, model: { ...s.model, capacity: { points: [{ atMinute: 0, value: 4 }, { atMinute: 10, value: 2 }, { atMinute: 5, value: 4 }] } } }),
      says: "s.json: model.capacity.points[2].atMinute: must be after the previous point's 10",
    },
    {
      name: "a latency outside [5 ms, 70 s]",
      patch: (s) => ({ ...s, model: { ...s.model, latency: { medianMs: 90_000 } } }),
      says: "s.json: model.latency.medianMs: Too big: expected number to be <=70000 (got 90000)",
    },
    {
      name: "an outage that ends before it starts",
      patch: (s) => ({ ...s, model: { ...s.model, outages: [{ fromMinute: 20, toMinute: 10 }] } }),
      says: "s.json: model.outages[0].toMinute: must be after fromMinute",
    },
    { name: "a bad start instant", patch: (s) => ({ ...s, start: "monday" }), says: 's.json: start: Invalid ISO datetime (got "monday")' },
    {
      name: "a provider the catalog refuses",
      patch: (s) => ({ ...s, provider: { ...s.provider, maxFanOut: 30 } }),
      says: 's.json: provider: provider "tiny" (#1): maxFanOut 30 exceeds maxConcurrency 4',
    },
  ];
  for (const c of cases) {
    it(`names the field of ${c.name}`, () => {
      const found = problems(c.patch(valid));
      expect(found.some((p) => p.startsWith(c.says)), `got:\n${found.join("\n")}`).to.equal(true);
    });
  }

  it("says when a file cannot be read or is not JSON", () => {
    expect(() => loadScenarioFile("/nonexistent/s.json")).to.throw(ScenarioError, "/nonexistent/s.json: cannot read the scenario file (ENOENT)");
    expect(() => loadScenarioFile(file("{ nope"))).to.throw(ScenarioError, /scenario\.json: not JSON: /);
  });

  it("resolves a built-in by name, a file by path, and names the built-ins otherwise", () => {
    expect(resolveScenario("healthy").name).to.equal("healthy");
    expect(resolveScenario(file(JSON.stringify(valid))).name).to.equal("file-scenario");
    expect(() => resolveScenario("nope")).to.throw(ScenarioError, `unknown scenario "nope": not a built-in (${SCENARIO_NAMES.join(", ")}) nor a file`);
  });

  it("expands flapping into outages in time order", () => {
    const s = validateScenario({ ...valid, model: { ...valid.model, outages: [{ fromMinute: 50, toMinute: 55 }], flapping: [{ fromMinute: 0, toMinute: 30, downMinutes: 4, upMinutes: 8, mode: "timeout" }] } }, "s.json");
    expect(outagesOf(s)).to.deep.equal([
      { fromMinute: 0, toMinute: 4, mode: "timeout" },
      { fromMinute: 12, toMinute: 16, mode: "timeout" },
      { fromMinute: 24, toMinute: 28, mode: "timeout" },
      { fromMinute: 50, toMinute: 55, mode: "error" },
    ]);
  });

  it("runs the chosen controller on the scenario's provider, with the catalog's defaults for it", () => {
    const s = validateScenario({ ...valid, provider: { ...TINY_PROVIDER, controller: { strategy: "adaptive", decreaseFactor: 0.5 } } }, "s.json");
    expect(providerFor(s, "adaptive").controller).to.include({ strategy: "adaptive", decreaseFactor: 0.5 });
    expect(providerFor(s, "step").controller).to.deep.equal({ strategy: "step" });
    expect(providerFor(s, "gradient2").controller).to.deep.include({ strategy: "gradient2", minUpdateIntervalSeconds: 60 });
  });

  it("ships the built-in scenarios, each with a provider valid for every controller", () => {
    expect(SCENARIO_NAMES).to.include.members(["healthy", "capacity-step", "latency-ramp", "outage-30m", "flapping", "daily-limit", "maintenance"]);
    expect(SCENARIO_NAMES).to.include.members(["tail-cap-1", "tail-cap-4", "tail-cap-8", "wide-spread", "capacity-below-cap", "load-latency", "steady-errors", "many-lanes"]);
    for (const s of BUILT_IN_SCENARIOS) {
      for (const c of CONTROLLERS) expect(providerFor(s, c).controller.strategy).to.equal(c);
    }
  });
});
