/**
 * The four alarms of a pipeline, as plain MetricAlarm arguments:
 *
 * - breaker open: the provider kept failing through several half-open probes
 *   (BreakerOpen, reported by every re-arm tick, stayed at 1 for
 *   `breakerAlarmMinutes`); the pipeline waits and a human should look.
 * - dead-letter queue not empty: the mapping gave up on a batch (retries or
 *   record age ran out); the queue holds the shard and sequence range to replay.
 * - iterator age high: records wait in the stream longer than any planned pause
 *   explains, and approach the age at which they are dropped. A held-off
 *   mapping reads nothing and sends no iterator age, so missing data keeps the
 *   alarm's state (a half-open probe's old record keeps it in ALARM).
 * - held off: the mapping has been kept disabled (a pause of any kind, the
 *   breaker) for as long as the iterator age alarm lets records wait: records
 *   enqueued before the hold are that old now, and no iterator age says so.
 *   Every re-arm tick reports HeldOffMs.
 * - auth failed: the provider refused the credential and the pipeline is paused
 *   until an operator fixes it and resumes (AuthFailed, from the batch that met
 *   the 401/403 and from every re-arm tick while paused for it).
 */
import type { Provider } from "../runtime/catalog/provider";
import type { MetricName } from "../runtime/ventilator/telemetry";
import { METRIC_DIMENSION } from "../runtime/ventilator/telemetry";
import type { PipelineNames } from "./naming";
import { ALARM_PERIOD_SECONDS, breakerAlarmMinutes, breakerAlarmWindow, iteratorAgeAlarmMs } from "./sizing";

/** One re-arm interval, at least the alarms' 5 minutes, rounded up to whole minutes as CloudWatch wants multiples of 60 s. */
function heldOffPeriodSeconds(rearmIntervalMinutes: number): number {
  return Math.max(ALARM_PERIOD_SECONDS, Math.ceil(rearmIntervalMinutes) * 60);
}

export interface AlarmSpec {
  name: string;
  alarmDescription: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: "Maximum";
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  /**
   * notBreaching: no data = nothing running = nothing wrong (a quiet or disabled provider must not alarm);
   * ignore: no data keeps the state (the iterator age of a held-off mapping).
   */
  treatMissingData: "notBreaching" | "ignore";
}

export const ALARM = { BREAKER_OPEN: "breakerOpen", DLQ_NOT_EMPTY: "dlqNotEmpty", ITERATOR_AGE: "iteratorAge", HELD_OFF: "heldOff", AUTH_FAILED: "authFailed" } as const;
export type AlarmKey = (typeof ALARM)[keyof typeof ALARM];

const BREAKER_OPEN: MetricName = "BreakerOpen";
const HELD_OFF_MS: MetricName = "HeldOffMs";
const AUTH_FAILED: MetricName = "AuthFailed";

export function alarmSpecs(
  provider: Provider,
  names: PipelineNames,
  opts: { metricsNamespace: string; rearmIntervalMinutes: number },
): Record<AlarmKey, AlarmSpec> {
  const breaker = breakerAlarmWindow(provider, opts.rearmIntervalMinutes);
  const ageMs = iteratorAgeAlarmMs(provider);
  return {
    [ALARM.BREAKER_OPEN]: {
      name: names.alarmBreakerOpen,
      alarmDescription: `sluice ${provider.id}: circuit breaker open for ${breakerAlarmMinutes(provider, opts.rearmIntervalMinutes)} min or more; the provider kept failing half-open probes.`,
      namespace: opts.metricsNamespace,
      metricName: BREAKER_OPEN,
      dimensions: { [METRIC_DIMENSION]: provider.id },
      statistic: "Maximum",
      period: breaker.periodSeconds,
      evaluationPeriods: breaker.evaluationPeriods,
      datapointsToAlarm: breaker.evaluationPeriods,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
    [ALARM.DLQ_NOT_EMPTY]: {
      name: names.alarmDlqNotEmpty,
      alarmDescription: `sluice ${provider.id}: the stream mapping gave up on a batch; its shard and sequence range are in ${names.dlq}.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: names.dlq },
      statistic: "Maximum",
      period: ALARM_PERIOD_SECONDS,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    [ALARM.ITERATOR_AGE]: {
      name: names.alarmIteratorAge,
      alarmDescription: `sluice ${provider.id}: records wait in the stream over ${Math.round(ageMs / 60_000)} min, longer than planned pauses explain; they expire after ${provider.streamRetentionHours} h.`,
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      dimensions: { FunctionName: names.ventilator },
      statistic: "Maximum",
      period: ALARM_PERIOD_SECONDS,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: ageMs,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "ignore",
    },
    [ALARM.HELD_OFF]: {
      name: names.alarmHeldOff,
      alarmDescription: `sluice ${provider.id}: the pipeline has been held off (paused or breaker open) over ${Math.round(ageMs / 60_000)} min, longer than planned pauses explain; records enqueued before expire after ${provider.streamRetentionHours} h.`,
      namespace: opts.metricsNamespace,
      metricName: HELD_OFF_MS,
      dimensions: { [METRIC_DIMENSION]: provider.id },
      statistic: "Maximum",
      // Every tick reports it: one period holds at least one tick.
      period: heldOffPeriodSeconds(opts.rearmIntervalMinutes),
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: ageMs,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    },
    [ALARM.AUTH_FAILED]: {
      name: names.alarmAuthFailed,
      alarmDescription: `sluice ${provider.id}: the provider refused the credential (401/403); the pipeline is paused until an operator fixes it and runs sluice resume -p ${provider.id}.`,
      namespace: opts.metricsNamespace,
      metricName: AUTH_FAILED,
      dimensions: { [METRIC_DIMENSION]: provider.id },
      statistic: "Maximum",
      // Ticks report it while paused: one period holds at least one tick.
      period: heldOffPeriodSeconds(opts.rearmIntervalMinutes),
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
  };
}
