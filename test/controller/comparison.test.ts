/**
 * Adaptive against the demo's step rule on one synthetic story: 20 healthy
 * batches at full use, a capacity drop (the provider throttles whatever is
 * above 4 in flight and slows down for everyone), then recovery. A behaviour
 * test with both strategies at their catalog defaults, not a benchmark.
 */
import { expect } from "chai";
import { adaptiveStrategy } from "../../runtime/controller/adaptive";
import { DIP_CALLS } from "../../runtime/controller/load-latency";
import { stepStrategy } from "../../runtime/controller/step";
import { adaptiveSettings, stepSettings } from "./fixtures";
import { run, type Phase, type Step } from "./synthetic-provider";

const HEALTHY = 20;
const DROP = 40;
const RECOVERY = 40;
const phases: Phase[] = [
  { batches: HEALTHY, capacity: 100 },
  { batches: DROP, capacity: 4 },
  { batches: RECOVERY, capacity: 100 },
];
const BATCH_MS = 5_000;

const mappingUpdates = (steps: readonly Step[]) => steps.filter((s) => s.action === "resize").length;
const throttledInDrop = (steps: readonly Step[]) =>
  steps.slice(HEALTHY, HEALTHY + DROP).reduce((sum, s) => sum + Math.max(0, s.fanOut - 4), 0);
/** Batches after the recovery until a batch runs the full fan-out again; -1 if never. */
const batchesToRegain = (steps: readonly Step[], max: number) => steps.slice(HEALTHY + DROP).findIndex((s) => s.fanOut === max);

describe("controller: adaptive against step on a capacity drop", () => {
  const adaptive = adaptiveSettings();
  const step = stepSettings();
  const a = run(adaptiveStrategy, adaptive, phases, BATCH_MS);
  const s = run(stepStrategy, step, phases, BATCH_MS);

  it("runs both at the full fan-out while the provider is healthy (adaptive after its warm-up at half)", () => {
    const warm = a.findIndex((x) => x.fanOut === 10);
    expect(warm).to.be.within(0, Math.ceil(DIP_CALLS / 5));
    expect(a.slice(warm, HEALTHY).every((x) => x.fanOut === 10)).to.equal(true);
    expect(s.slice(0, HEALTHY).every((x) => x.fanOut === 10)).to.equal(true);
  });

  it("adaptive makes far fewer mapping updates than step", () => {
    expect(mappingUpdates(a)).to.be.greaterThan(0);
    expect(mappingUpdates(a) * 5).to.be.lessThan(mappingUpdates(s));
  });

  it("adaptive updates the mapping at most once per minUpdateIntervalSeconds", () => {
    const interval = adaptive.controller.strategy === "adaptive" ? adaptive.controller.minUpdateIntervalSeconds * 1000 : 0;
    const times = a.filter((x) => x.action === "resize").map((x) => x.at);
    times.slice(1).forEach((t, i) => expect(t - times[i]!).to.be.at.least(interval));
  });

  it("adaptive sends fewer calls over the provider's capacity during the drop", () => {
    expect(throttledInDrop(a) * 2).to.be.lessThan(throttledInDrop(s));
  });

  it("adaptive regains the full fan-out within one hysteresis interval and a few waves of the recovery", () => {
    // It sat at the capacity (4) with a plateau after its last probe; past the plateau it probes 5, 6, 8, 10.
    const plateauBatches = (adaptive.controller.strategy === "adaptive" ? adaptive.controller.minUpdateIntervalSeconds * 1000 : 0) / BATCH_MS;
    expect(batchesToRegain(a, 10)).to.be.within(0, plateauBatches + 4);
    expect(batchesToRegain(s, 10)).to.be.greaterThan(0);
  });

  it("both end the story at the full fan-out", () => {
    expect(a.at(-1)!.fanOut).to.equal(10);
    expect(s.at(-1)!.fanOut).to.equal(10);
  });
});
