import { expect } from "chai";
import { FunctionRegistry } from "../../../local/lambda-emulator/functions";
import { startSchedule, type ScheduledEvent } from "../../../local/lambda-emulator/schedule";
import { flush, useVirtualTimers } from "../../support/virtual-timers";

describe("re-arm schedule, on virtual timers", () => {
  const time = useVirtualTimers();

  it("fires every interval with an EventBridge Scheduled Event", async () => {
    const clock = { now: () => Date.UTC(2025, 2, 4, 5, 6, 7, 890) };
    const functions = new FunctionRegistry({ clock, region: "eu-west-2", accountId: "123456789012" });
    const events: ScheduledEvent[] = [];
    functions.register({ name: "ventilator", timeoutMs: 1_000, handler: async (event: ScheduledEvent) => void events.push(event) });
    const schedule = startSchedule(functions, clock, { functionName: "ventilator", intervalMs: 30 });
    try {
      await time.advance(29);
      expect(events, "before the first interval").to.have.length(0);
      await time.advance(1);
      await time.advance(30);
      expect(events).to.have.length(2);
    } finally {
      await schedule.stop();
    }
    const event = events[0]!;
    expect(event).to.deep.include({
      version: "0",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2025-03-04T05:06:07Z",
      region: "eu-west-2",
      resources: ["arn:aws:events:eu-west-2:123456789012:rule/ventilator-rearm"],
      detail: {},
    });
    expect(event.id).to.match(/^[0-9a-f-]{36}$/);
    expect(events[1]!.id).to.not.equal(event.id);
    expect(functions.invocationsOf("ventilator").every((r) => r.source === "schedule")).to.equal(true);
  });

  it("skips a tick while the previous run is still going, and stops firing after stop()", async () => {
    const functions = new FunctionRegistry();
    let running = 0;
    let peak = 0;
    let release!: () => void;
    functions.register({
      name: "slow-rearm",
      timeoutMs: 1_000,
      handler: async () => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((resolve) => (release = resolve));
        running--;
      },
    });
    const schedule = startSchedule(functions, { now: Date.now }, { functionName: "slow-rearm", intervalMs: 10, ruleName: "rearm" });
    await time.advance(10);
    expect(schedule.fired).to.equal(1);
    // Five more intervals pass while the first run is still going: each tick is skipped.
    for (let i = 0; i < 5; i++) await time.advance(10);
    expect(schedule.fired).to.equal(1);
    release();
    await flush();
    expect(schedule.results).to.have.length(1);
    await time.advance(10);
    expect(schedule.fired).to.equal(2);
    release();
    await schedule.stop();
    // Ten intervals of virtual time after stop(): a running schedule would have fired every one.
    for (let i = 0; i < 10; i++) await time.advance(10);
    expect(peak).to.equal(1);
    expect(schedule.fired).to.equal(2);
    expect(schedule.results).to.have.length(2);
    expect(schedule.ruleArn).to.equal("arn:aws:events:us-east-1:000000000000:rule/rearm");
  });

  it("fireNow() invokes at once and records a refusal (no such function) instead of throwing", async () => {
    const functions = new FunctionRegistry();
    const schedule = startSchedule(functions, { now: Date.now }, { functionName: "missing", intervalMs: 60_000 });
    await schedule.fireNow();
    await schedule.stop();
    expect(schedule.results).to.deep.equal([{ refused: "Function not found: missing" }]);
  });
});
