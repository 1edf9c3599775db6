/**
 * A model of how CloudWatch evaluates a metric alarm, enough to test the
 * pipeline's alarm specs against the metric lines the ventilator writes:
 * periods aligned to the epoch, the Maximum per period, "M of N" periods
 * breaching, and the four treatments of missing data (CloudWatch user guide,
 * "Configuring how CloudWatch alarms treat missing data"):
 *   notBreaching / breaching: a missing period counts as good / bad;
 *   ignore: the alarm keeps its state until enough periods have data;
 *   missing: no data in the whole window = INSUFFICIENT_DATA.
 */
import type { AlarmSpec } from "../../components/alarms";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export interface Datapoint {
  /** Epoch ms. */
  t: number;
  value: number;
}
export interface Transition {
  t: number;
  state: AlarmState;
}

type Spec = Pick<AlarmSpec, "period" | "evaluationPeriods" | "datapointsToAlarm" | "threshold" | "comparisonOperator"> & {
  treatMissingData: "notBreaching" | "breaching" | "ignore" | "missing";
};

function breaches(spec: Spec, value: number): boolean {
  return spec.comparisonOperator === "GreaterThanThreshold" ? value > spec.threshold : value >= spec.threshold;
}

/** The alarm's state changes over [from, to], evaluated at every period boundary. */
export function evaluateAlarm(spec: Spec, points: readonly Datapoint[], from: number, to: number): Transition[] {
  const periodMs = spec.period * 1000;
  const maxOf = (start: number): number | undefined => {
    const inside = points.filter((p) => p.t >= start && p.t < start + periodMs).map((p) => p.value);
    return inside.length > 0 ? Math.max(...inside) : undefined;
  };
  let state: AlarmState = "INSUFFICIENT_DATA";
  const transitions: Transition[] = [];
  for (let end = Math.ceil(from / periodMs) * periodMs; end <= to; end += periodMs) {
    const window = Array.from({ length: spec.evaluationPeriods }, (_, i) => maxOf(end - (i + 1) * periodMs));
    const present = window.filter((v): v is number => v !== undefined);
    let bad = present.filter((v) => breaches(spec, v)).length;
    let good = present.length - bad;
    const missing = window.length - present.length;
    if (spec.treatMissingData === "breaching") bad += missing;
    if (spec.treatMissingData === "notBreaching") good += missing;
    let next: AlarmState = state;
    if (bad >= spec.datapointsToAlarm) next = "ALARM";
    else if (good > spec.evaluationPeriods - spec.datapointsToAlarm) next = "OK";
    else if (present.length === 0 && spec.treatMissingData === "missing") next = "INSUFFICIENT_DATA";
    if (next !== state) transitions.push({ t: end, state: (state = next) });
  }
  return transitions;
}

/** The value of one metric in each Embedded Metric Format line that carries it. */
export function emfPoints(lines: readonly Record<string, unknown>[], metric: string): Datapoint[] {
  return lines.flatMap((line) => {
    const value = line[metric];
    const at = (line._aws as { Timestamp?: unknown } | undefined)?.Timestamp;
    return typeof value === "number" && typeof at === "number" ? [{ t: at, value }] : [];
  });
}
