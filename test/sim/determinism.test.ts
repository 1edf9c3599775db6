import { expect } from "chai";
import { runScenario } from "../../sim/run";
import { smallHealthy } from "./fixtures";

describe("sim: determinism", function () {
  this.timeout(20_000);

  it("gives the same result for the same seed, and another for another seed", async () => {
    const scenario = smallHealthy();
    const [a, b, c] = [await runScenario({ scenario, controller: "adaptive", seed: 7 }), await runScenario({ scenario, controller: "adaptive", seed: 7 }), await runScenario({ scenario, controller: "adaptive", seed: 8 })];
    expect(JSON.stringify(b.metrics)).to.equal(JSON.stringify(a.metrics));
    expect(b.recorder.successTimes).to.deep.equal(a.recorder.successTimes);
    expect(b.recorder.controller).to.deep.equal(a.recorder.controller);
    expect(b.mappingHistory).to.deep.equal(a.mappingHistory);
    expect(c.recorder.successTimes).not.to.deep.equal(a.recorder.successTimes);
  });

  it("runs the real ventilator to the end: every record done (fetched once) or dead, through the outage", async () => {
    const run = await runScenario({ scenario: smallHealthy(), controller: "adaptive", seed: 1 });
    expect(run.endReason).to.equal("done");
    expect(run.metrics).to.include({ duplicates: 0, lost: 0 });
    expect(run.recorder.finished.size).to.equal(600);
    const done = [...run.recorder.finished.values()].filter((f) => f.status === "done").length;
    expect(run.recorder.totals.ok).to.equal(done);
    expect(run.recorder.ventilatorFailures).to.deep.equal([]);
    expect(run.metrics.detectS).to.be.a("number");
  });
});
