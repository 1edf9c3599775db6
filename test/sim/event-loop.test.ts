import { expect } from "chai";
import { EventLoop } from "../../sim/event-loop";
import { mulberry32, stream } from "../../sim/rng";

const T0 = 1_000_000;

describe("sim/event-loop", () => {
  it("fires events in time order, and events due at the same instant in the order they were scheduled", async () => {
    const loop = new EventLoop(T0);
    const fired: string[] = [];
    loop.at(T0 + 30, () => fired.push("c@30"));
    loop.at(T0 + 10, () => fired.push("a@10"));
    loop.at(T0 + 20, () => fired.push("b1@20"));
    loop.at(T0 + 20, () => fired.push("b2@20"));
    loop.at(T0 + 10, () => fired.push("a2@10"));
    expect(await loop.run({ horizon: T0 + 100 })).to.equal("drained");
    expect(fired).to.deep.equal(["a@10", "a2@10", "b1@20", "b2@20", "c@30"]);
  });

  it("sets now to each event's time while it fires", async () => {
    const loop = new EventLoop(T0);
    const seen: number[] = [];
    for (const dt of [5, 1, 3]) loop.after(dt, () => seen.push(loop.now - T0));
    await loop.run({ horizon: T0 + 10 });
    expect(seen).to.deep.equal([1, 3, 5]);
  });

  it("lets every async chain an event unblocked run to its next wait before the next event fires", async () => {
    const loop = new EventLoop(T0);
    const log: string[] = [];
    const chain = async () => {
      await loop.sleep(10);
      // Several awaits on resolved promises: all must run before the event at +11.
      for (let i = 0; i < 5; i++) await Promise.resolve();
      log.push(`chain done at ${loop.now - T0}`);
      await loop.sleep(10);
      log.push(`chain woke at ${loop.now - T0}`);
    };
    void chain();
    loop.at(T0 + 10, () => log.push("event at 10"));
    loop.at(T0 + 11, () => log.push("event at 11"));
    await loop.run({ horizon: T0 + 100 });
    expect(log).to.deep.equal(["chain done at 10", "event at 10", "event at 11", "chain woke at 20"]);
  });

  it("stops at the horizon with now set to it, and when done() holds", async () => {
    const loop = new EventLoop(T0);
    let n = 0;
    const tick = () => {
      n++;
      loop.after(10, tick);
    };
    loop.after(10, tick);
    expect(await loop.run({ horizon: T0 + 55 })).to.equal("horizon");
    expect(loop.now).to.equal(T0 + 55);
    expect(n).to.equal(5);
    expect(await loop.run({ horizon: T0 + 1_000, done: () => n >= 8 })).to.equal("done");
    expect(n).to.equal(8);
  });

  it("never fires an event in the past: a past time fires now, after what is already due", async () => {
    const loop = new EventLoop(T0);
    const order: string[] = [];
    loop.at(T0 + 10, () => {
      loop.at(T0, () => order.push(`late at ${loop.now - T0}`));
      order.push("first");
    });
    loop.at(T0 + 10, () => order.push("second"));
    await loop.run({ horizon: T0 + 100 });
    expect(order).to.deep.equal(["first", "second", "late at 10"]);
  });
});

describe("sim/rng", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(42)).to.deep.equal(draw(42));
    expect(draw(42)).not.to.deep.equal(draw(43));
  });

  it("draws uniformly in [0, 1)", () => {
    const r = mulberry32(7);
    const xs = Array.from({ length: 20_000 }, r);
    expect(Math.min(...xs)).to.be.at.least(0);
    expect(Math.max(...xs)).to.be.below(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).to.be.closeTo(0.5, 0.01);
  });

  it("keeps named streams independent: drawing from one does not shift another", () => {
    const fresh = stream(1, "mapping-delay")();
    const a = stream(1, "provider");
    const b = stream(1, "mapping-delay");
    a();
    a();
    expect(b()).to.equal(fresh);
    expect(stream(1, "provider")()).not.to.equal(fresh);
  });
});
