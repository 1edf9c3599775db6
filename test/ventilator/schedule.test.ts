import { expect } from "chai";
import { restoreState } from "../../runtime/controller";
import { processBatch } from "../../runtime/ventilator/batch";
import { onSchedule } from "../../runtime/ventilator/schedule";
import { context, harness, kinesisEvent, provider, T0 } from "./fixtures";

describe("ventilator re-arm schedule", () => {
  it("leaves a mapping that matches the state alone when healthy and open", async () => {
    const h = harness(provider());
    expect((await onSchedule(h.deps)).outcome).to.equal("reconciled");
    expect(h.mapping.updates).to.deep.equal([]);
  });

  it("corrects a batch size that drifted from the state", async () => {
    const h = harness(provider());
    h.mapping.view = { ...h.mapping.view, batchSize: 1 };
    expect((await onSchedule(h.deps)).outcome).to.equal("reconciled");
    expect(h.mapping.updates).to.deep.equal([{ enabled: true, batchSize: 4 }]);
  });

  it("enables a mapping left disabled although nothing holds the pipeline", async () => {
    const h = harness(provider());
    h.mapping.view = { ...h.mapping.view, state: "Disabled" };
    await onSchedule(h.deps);
    expect(h.mapping.updates).to.deep.equal([{ enabled: true, batchSize: 4 }]);
  });

  it("leaves a mapping that is still Updating to the change being applied", async () => {
    const h = harness(provider());
    h.mapping.view = { ...h.mapping.view, batchSize: 1, state: "Updating" };
    await onSchedule(h.deps);
    expect(h.mapping.updates).to.deep.equal([]);
  });

  it("does not write the size it read over one a batch saved and applied meanwhile", async () => {
    const p = provider();
    const h = harness(p);
    const loaded = await h.ledger().loadPipeline();
    const stale = restoreState(loaded?.state.controller, p, T0);
    // Between the tick's read of the state and its read of the mapping, a batch saves size 40 and applies it.
    const get = h.mapping.get.bind(h.mapping);
    h.mapping.get = async () => {
      await h.ledger().savePipeline({ controller: { ...stale, mappingBatchSize: 40 }, pause: null, updatedAt: T0 }, loaded?.version ?? null);
      h.mapping.view = { ...h.mapping.view, batchSize: 40 };
      return get();
    };
    expect((await onSchedule(h.deps)).outcome).to.equal("reconciled");
    expect(h.mapping.updates).to.deep.equal([]);
    expect(h.mapping.view.batchSize).to.equal(40);
  });

  it("keeps a catalog-disabled provider's mapping off", async () => {
    const h = harness(provider({ enabled: false }));
    expect((await onSchedule(h.deps)).outcome).to.equal("disabled");
    expect(h.mapping.updates).to.deep.equal([{ enabled: false }]);
  });

  it("an operator pause stays until an operator resumes", async () => {
    const h = harness(provider());
    await h.ledger().savePipeline({ controller: null, pause: { reason: "operator", since: T0, by: "bob" }, updatedAt: T0 }, null);
    expect((await onSchedule(h.deps)).outcome).to.equal("operator-paused");
    expect((await h.ledger().loadPipeline())?.state.pause?.reason).to.equal("operator");
  });

  it("reports how long the pipeline has been held off on every tick, 0 once it runs again", async () => {
    const p = provider({ accessWindows: [{ start: "13:00", end: "18:00" }] });
    const h = harness(p);
    await onSchedule(h.deps);
    h.clock.t = T0 + 30 * 60_000;
    expect((await onSchedule(h.deps)).outcome).to.equal("still-paused");
    h.clock.t = Date.UTC(2097, 0, 7, 13, 0, 1);
    expect((await onSchedule(h.deps)).outcome).to.equal("resumed");
    await onSchedule(h.deps);
    expect(h.logs.map((l) => l.HeldOffMs)).to.deep.equal([0, 30 * 60_000, 0, 0]);
  });

  it("pauses ahead of a closed window and resumes at the saved size when it opens", async () => {
    const p = provider({ accessWindows: [{ start: "13:00", end: "18:00" }] });
    const h = harness(p);
    expect((await onSchedule(h.deps)).outcome).to.equal("paused-for-window");
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: false });
    h.clock.t = Date.UTC(2097, 0, 7, 13, 0, 1);
    expect((await onSchedule(h.deps)).outcome).to.equal("resumed");
    expect(h.mapping.updates.at(-1)).to.deep.equal({ enabled: true, batchSize: 4 });
    expect((await h.ledger().loadPipeline())?.state.pause).to.equal(null);
  });

  it("a daily-limit pause lasts until the provider's next day", async () => {
    const p = provider({ dailyRequestLimit: 1 });
    const h = harness(p);
    await processBatch(kinesisEvent([{ id: "a" }, { id: "b" }]), context(), h.deps);
    expect((await onSchedule(h.deps)).outcome).to.equal("still-paused");
    h.clock.t = Date.UTC(2097, 0, 8, 0, 0, 1);
    expect((await onSchedule(h.deps)).outcome).to.equal("resumed");
  });

  it("probes once the breaker's wait is over, and only one of two racing ticks wins", async () => {
    const p = provider({ initialFanOut: 1, maxAttempts: 9 });
    const h = harness(p, () => ({ outcome: "error", reason: "503" }));
    await processBatch(kinesisEvent(Array.from({ length: 10 }, (_, i) => ({ id: `f${i}` }))), context(), h.deps);
    expect((await onSchedule(h.deps)).outcome).to.equal("breaker-waiting");
    h.clock.t += 10 * 60_000;
    const [one, two] = await Promise.all([onSchedule(h.deps), onSchedule(h.deps)]);
    expect([one.outcome, two.outcome].sort()).to.deep.equal(["probe", "probe-claimed-elsewhere"]);
    expect(h.mapping.updates.filter((u) => u.enabled === true)).to.have.length(1);
    const state = restoreState((await h.ledger().loadPipeline())!.state.controller, p, h.clock.t);
    expect(state.breaker.status).to.equal("half-open");
  });

  it("does not probe while the window is closed", async () => {
    const p = provider({ initialFanOut: 1, maxAttempts: 9, accessWindows: [{ start: "06:00", end: "12:30" }] });
    const h = harness(p, () => ({ outcome: "error", reason: "503" }));
    h.clock.t = Date.UTC(2097, 0, 7, 12, 0, 0);
    await processBatch(kinesisEvent(Array.from({ length: 10 }, (_, i) => ({ id: `f${i}` }))), context(), h.deps);
    h.clock.t = Date.UTC(2097, 0, 7, 13, 0, 0);
    expect((await onSchedule(h.deps)).outcome).to.equal("paused-for-window");
  });
});
