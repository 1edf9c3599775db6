import { expect } from "chai";
import fc from "fast-check";
import { TokenBucket } from "../../../local/lambda-emulator/token-bucket";

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("control-plane token bucket", () => {
  it("allows a burst of one second's worth, then refuses", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(15, clock);
    const taken = Array.from({ length: 20 }, () => bucket.tryTake()).filter(Boolean).length;
    expect(taken).to.equal(15);
    expect(bucket.secondsUntilNext()).to.equal(1);
  });

  it("refills at the rate: one token every 1/rate seconds", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, clock);
    while (bucket.tryTake());
    clock.advance(99);
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(1);
    expect(bucket.tryTake()).to.equal(true);
    expect(bucket.tryTake()).to.equal(false);
  });

  it("never lets more than burst + rate × seconds through (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(fc.nat(300), { minLength: 1, maxLength: 200 }), (rate, gaps) => {
        const clock = fakeClock();
        const bucket = new TokenBucket(rate, clock);
        let taken = 0;
        for (const gap of gaps) {
          clock.advance(gap);
          if (bucket.tryTake()) taken++;
        }
        const seconds = gaps.reduce((a, b) => a + b, 0) / 1000;
        expect(taken).to.be.at.most(Math.floor(rate + rate * seconds + 1e-9));
      }),
    );
  });

  it("a clock stepping back does not drain or overfill it", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, clock);
    clock.advance(-5_000);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).to.deep.equal([true, true, false]);
  });

  it("refuses a rate that is not positive, naming it", () => {
    expect(() => new TokenBucket(0, fakeClock())).to.throw(RangeError, /ratePerSecond 0/);
  });
});
