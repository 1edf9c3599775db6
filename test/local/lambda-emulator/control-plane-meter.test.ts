import { expect } from "chai";
import { ControlPlaneMeter } from "../../../local/lambda-emulator/control-plane-meter";

const HOUR = 3_600_000;

describe("control-plane meter", () => {
  function meter() {
    const m = new ControlPlaneMeter();
    m.record({ operation: "ListEventSourceMappings", at: 0, functionName: "vent-a", status: 200 });
    m.record({ operation: "UpdateEventSourceMapping", at: 10, functionName: "vent-a", status: 202 });
    m.record({ operation: "UpdateEventSourceMapping", at: HOUR / 2, functionName: "vent-a", status: 429 });
    m.record({ operation: "GetEventSourceMapping", at: HOUR, functionName: "vent-b", status: 200 });
    m.record({ operation: "ListEventSourceMappings", at: HOUR + 1, functionName: undefined, status: 200 });
    return m;
  }

  it("counts calls by operation, throttled ones included", () => {
    expect(meter().counts()).to.deep.equal({
      total: 5,
      throttled: 1,
      byOperation: { ListEventSourceMappings: 2, UpdateEventSourceMapping: 2, GetEventSourceMapping: 1 },
    });
  });

  it("filters by function and by a [since, until) time range", () => {
    expect(meter().counts({ functionName: "vent-a" }).total).to.equal(3);
    expect(meter().counts({ since: 10, until: HOUR }).total).to.equal(2);
  });

  it("gives calls per hour for each function", () => {
    const perHour = meter().perHourByFunction(0, 2 * HOUR);
    expect(perHour.get("vent-a")).to.equal(1.5);
    expect(perHour.get("vent-b")).to.equal(0.5);
    expect(perHour.get(undefined)).to.equal(0.5);
  });
});
