import { expect } from "chai";
import { FunctionRegistry } from "../../../local/lambda-emulator/functions";
import { startSchedule, type ScheduledEvent } from "../../../local/lambda-emulator/schedule";
import { eventually, sleep } from "./eventually";

describe("re-arm schedule", () => {
  it("fires every interval with an EventBridge Scheduled Event", async () => {
    const clock = { now: () => Date.UTC(2025, 2, 4, 5, 6, 7, 890) };
    const functions = new FunctionRegistry({ clock, region: "eu-west-2", accountId: "123456789012" });
    const events: ScheduledEvent[] = [];
    functions.register({ name: "ventilator", timeoutMs: 1_000, handler: async (event: ScheduledEvent) => void events.push(event) });
    const schedule = startSchedule(functions, clock, { functionName: "ventilator", intervalMs: 30 });
    try {
      await eventually("two ticks", () => events.length >= 2, 2_000);
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
    functions.register({
      name: "slow-rearm",
      timeoutMs: 1_000,
      handler: async () => {
        peak = Math.max(peak, ++running);
        await sleep(60);
        running--;
      },
    });
    const schedule = startSchedule(functions, { now: Date.now }, { functionName: "slow-rearm", intervalMs: 10, ruleName: "rearm" });
    await eventually("three runs", () => schedule.results.length >= 3, 2_000);
    await schedule.stop();
    const fired = schedule.fired;
    await sleep(50);
    expect(peak).to.equal(1);
    expect(schedule.fired).to.equal(fired);
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
