import { expect } from "chai";
import { fanOut } from "../../runtime/ventilator/fan-out";

const tick = () => new Promise((r) => setImmediate(r));

describe("fan-out", () => {
  it("runs every item with at most `limit` in flight, in order", async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const res = await fanOut([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      started.push(x);
      peak = Math.max(peak, ++inFlight);
      await tick();
      inFlight--;
      return x * 2;
    });
    expect(res.results).to.deep.equal([2, 4, 6, 8, 10, 12, 14]);
    expect(started).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).to.equal(3);
    expect(res.peakInFlight).to.equal(3);
    expect(res.notStarted).to.deep.equal([]);
  });

  it("stops starting once mayStart says no and reports the rest as not started", async () => {
    let budget = 2;
    const res = await fanOut([1, 2, 3, 4], 1, async (x) => x, () => budget-- > 0);
    expect(res.results).to.deep.equal([1, 2, undefined, undefined]);
    expect(res.notStarted).to.deep.equal([2, 3]);
  });

  it("lets the calls in flight finish before failing with the first error", async () => {
    const finished: number[] = [];
    let error: unknown;
    await fanOut([1, 2, 3], 3, async (x) => {
      await tick();
      if (x === 1) throw new Error("store down");
      await tick();
      finished.push(x);
      return x;
    }).catch((e) => (error = e));
    expect((error as Error).message).to.equal("store down");
    expect(finished.sort()).to.deep.equal([2, 3]);
  });

  it("handles an empty batch and rejects a bad limit", async () => {
    expect((await fanOut([], 2, async (x) => x)).results).to.deep.equal([]);
    let error: unknown;
    await fanOut([1], 0, async (x) => x).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});
