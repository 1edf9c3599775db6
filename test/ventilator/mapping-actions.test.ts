import { expect } from "chai";
import { restoreState } from "../../runtime/controller";
import { BREAKER } from "../../runtime/controller/types";
import { enabledOf, heldOffMs, mappingFor, mappingShows } from "../../runtime/ventilator/mapping-actions";
import type { Pipeline } from "../../runtime/ventilator/pipeline-state";
import type { MappingState, MappingView } from "../../runtime/ventilator/ports";
import { provider, T0 } from "./fixtures";

describe("mapping for a pipeline state", () => {
  const p = provider();
  const closed: Pipeline = { controller: { ...restoreState(undefined, p, T0), mappingBatchSize: 120 }, pause: null, version: 3, sweptAt: null };

  it("runs at the applied batch size while nothing holds the pipeline", () => {
    expect(mappingFor(p, closed)).to.deep.equal({ enabled: true, batchSize: 120 });
  });

  it("runs at the batch size the probe chose while half-open (the fan-out is 1 either way)", () => {
    const halfOpen = { ...closed, controller: { ...closed.controller, breaker: { status: BREAKER.HALF_OPEN, trips: 1, goodProbes: 0, since: T0 } } } as Pipeline;
    expect(mappingFor(p, halfOpen)).to.deep.equal({ enabled: true, batchSize: 120 });
    expect(mappingFor(p, { ...halfOpen, controller: { ...halfOpen.controller, mappingBatchSize: 1 } })).to.deep.equal({ enabled: true, batchSize: 1 });
  });

  it("is off while the breaker is open, while paused, and for a provider disabled in the catalog", () => {
    const open = { ...closed, controller: { ...closed.controller, breaker: { status: BREAKER.OPEN, trips: 1, openedAt: T0, nextProbeAt: T0 + 60_000 } } } as Pipeline;
    expect(mappingFor(p, open)).to.deep.equal({ enabled: false });
    expect(mappingFor(p, { ...closed, pause: { reason: "maintenance", since: T0, resumeMappingBatchSize: 120 } })).to.deep.equal({ enabled: false });
    expect(mappingFor(provider({ enabled: false }), closed)).to.deep.equal({ enabled: false });
  });
});

describe("how long a pipeline has been held off", () => {
  const p = provider();
  const closed: Pipeline = { controller: restoreState(undefined, p, T0), pause: null, version: 1, sweptAt: null };
  const later = T0 + 90 * 60_000;

  it("is 0 while the mapping is meant to run, half-open included, and for a provider disabled in the catalog", () => {
    expect(heldOffMs(p, closed, later)).to.equal(0);
    const halfOpen = { ...closed, controller: { ...closed.controller, breaker: { status: BREAKER.HALF_OPEN, trips: 1, goodProbes: 0, since: T0 } } } as Pipeline;
    expect(heldOffMs(p, halfOpen, later)).to.equal(0);
    expect(heldOffMs(provider({ enabled: false }), { ...closed, pause: { reason: "operator", since: T0 } }, later)).to.equal(0);
  });

  it("counts from the pause, whatever its reason, or from the breaker's opening", () => {
    for (const reason of ["operator", "maintenance", "outside-window", "daily-limit"] as const) {
      expect(heldOffMs(p, { ...closed, pause: { reason, since: T0 } }, later), reason).to.equal(90 * 60_000);
    }
    const open = { ...closed, controller: { ...closed.controller, breaker: { status: BREAKER.OPEN, trips: 2, openedAt: T0 + 60_000, nextProbeAt: later } } } as Pipeline;
    expect(heldOffMs(p, open, later)).to.equal(89 * 60_000);
  });
});

describe("whether the mapping shows a change", () => {
  const view = (state: MappingState, batchSize = 10): MappingView => ({ uuid: "m", batchSize, state });
  const table: [MappingView, Parameters<typeof mappingShows>[1], boolean | undefined][] = [
    [view("Enabled"), { enabled: true, batchSize: 10 }, true],
    [view("Enabled"), { enabled: true, batchSize: 11 }, false],
    [view("Enabling"), { enabled: true, batchSize: 10 }, true],
    // Enabling shows the batch size from before the change in flight (Get shows old settings until it lands).
    [view("Enabling", 4), { enabled: true, batchSize: 1 }, undefined],
    [view("Enabled"), { enabled: false }, false],
    [view("Disabled"), { enabled: false }, true],
    [view("Disabling"), { enabled: false }, true],
    [view("Disabled"), { enabled: true, batchSize: 10 }, false],
    [view("Disabled", 3), { batchSize: 10 }, true],
    [view("Updating"), { enabled: true, batchSize: 11 }, undefined],
    [view("Creating"), { enabled: false }, undefined],
  ];
  for (const [v, change, expected] of table) {
    it(`${v.state} at ${v.batchSize} ${expected === undefined ? "cannot tell" : expected ? "shows" : "does not show"} ${JSON.stringify(change)}`, () =>
      expect(mappingShows(v, change)).to.equal(expected));
  }
});

describe("enabledOf", () => {
  const table: [Parameters<typeof enabledOf>[0], boolean | undefined][] = [
    ["Enabled", true],
    ["Enabling", true],
    ["Disabled", false],
    ["Disabling", false],
    ["Updating", undefined],
    ["Creating", undefined],
    ["Deleting", undefined],
  ];
  for (const [state, expected] of table) it(`reads ${state} as ${String(expected)}`, () => expect(enabledOf(state)).to.equal(expected));
});
