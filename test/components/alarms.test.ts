/**
 * The alarms judged the way CloudWatch judges them (test/support/alarm-model.ts),
 * on the metric lines the real re-arm schedule writes: a provider held off past
 * its expected recovery must fire some alarm, although a disabled mapping
 * sends no iterator age at all.
 */
import { expect } from "chai";
import { alarmSpecs, type AlarmSpec } from "../../components/alarms";
import { pipelineNames } from "../../components/naming";
import { iteratorAgeAlarmMs } from "../../components/sizing";
import { onSchedule } from "../../runtime/ventilator/schedule";
import { emfPoints, evaluateAlarm, type Datapoint } from "../support/alarm-model";
import { harness, provider, T0 } from "../ventilator/fixtures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REARM_MINUTES = 10;

/** The metrics an alarm reads, from the lines the ventilator logged (AWS-owned metrics have no points here). */
function pointsFor(spec: AlarmSpec, lines: readonly Record<string, unknown>[]): Datapoint[] {
  return spec.namespace === "Test" ? emfPoints(lines, spec.metricName) : [];
}

describe("components/alarms", () => {
  it("an operator pause left for days fires an alarm before the records it holds back expire", async () => {
    const p = provider({ id: "held" });
    const h = harness(p);
    await h.ledger().savePipeline({ controller: null, pause: { reason: "operator", since: T0, by: "alice" }, updatedAt: T0 }, null);
    const end = T0 + p.streamRetentionHours * HOUR;
    for (let t = T0; t <= end; t += REARM_MINUTES * MINUTE) {
      h.clock.t = t;
      expect((await onSchedule(h.deps)).outcome).to.equal("operator-paused");
    }
    const specs = alarmSpecs(p, pipelineNames("dev", p.id), { metricsNamespace: "Test", rearmIntervalMinutes: REARM_MINUTES });
    const fired = Object.entries(specs).flatMap(([key, spec]) => {
      const first = evaluateAlarm(spec, pointsFor(spec, h.logs), T0, end).find((x) => x.state === "ALARM");
      return first ? [{ key, at: first.t }] : [];
    });
    expect(fired.map((f) => f.key)).to.deep.equal(["heldOff"]);
    expect(fired[0]!.at - T0).to.be.at.least(iteratorAgeAlarmMs(p)).and.at.most(iteratorAgeAlarmMs(p) + 2 * REARM_MINUTES * MINUTE);
    expect(fired[0]!.at).to.be.below(end);
  });

  it("the iterator age alarm keeps ALARM while the mapping is held off between probes, and clears when records flow", () => {
    const p = provider({ id: "probed" });
    const spec = alarmSpecs(p, pipelineNames("dev", p.id), { metricsNamespace: "Test", rearmIntervalMinutes: REARM_MINUTES }).iteratorAge;
    const old = spec.threshold + HOUR;
    // A half-open probe reads the oldest record and fails; the breaker holds the mapping disabled for hours, then it heals.
    const points = [
      { t: T0 + 5 * MINUTE, value: old },
      { t: T0 + 3 * HOUR, value: old + 3 * HOUR },
      { t: T0 + 9 * HOUR, value: 1_000 },
    ];
    const transitions = evaluateAlarm(spec, points, T0, T0 + 10 * HOUR);
    expect(transitions.map((x) => x.state)).to.deep.equal(["ALARM", "OK"]);
    expect(transitions[1]!.t).to.be.above(T0 + 9 * HOUR);
  });

  it("a quiet provider, whose mapping never reads, raises nothing", async () => {
    const p = provider({ id: "quiet" });
    const h = harness(p);
    for (let t = T0; t <= T0 + 48 * HOUR; t += REARM_MINUTES * MINUTE) {
      h.clock.t = t;
      await onSchedule(h.deps);
    }
    const specs = alarmSpecs(p, pipelineNames("dev", p.id), { metricsNamespace: "Test", rearmIntervalMinutes: REARM_MINUTES });
    for (const [key, spec] of Object.entries(specs)) {
      expect(evaluateAlarm(spec, pointsFor(spec, h.logs), T0, T0 + 48 * HOUR).filter((x) => x.state === "ALARM"), key).to.deep.equal([]);
    }
  });
});
