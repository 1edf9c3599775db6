/**
 * One CloudWatch dashboard per provider: what the pipeline is doing at a
 * glance. The fan-out limit over time (the seed's chart) with the mapping batch
 * size and calls in flight, outcomes, latency against the provider's threshold, the breaker, the
 * stream backlog and the dead-letter queue. Metric names are the ventilator's
 * own (runtime/ventilator/telemetry.ts), so a renamed metric fails to compile here.
 */
import type { Provider } from "../runtime/catalog/provider";
import { METRIC_DIMENSION, type MetricName } from "../runtime/ventilator/telemetry";
import type { PipelineNames } from "./naming";
import { iteratorAgeAlarmMs } from "./sizing";

type Stat = "Maximum" | "Average" | "Sum";
type MetricRow = (string | { stat?: Stat; label?: string; color?: string })[];

interface Widget {
  type: "metric";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const WIDTH = 12;
const HEIGHT = 6;
/** Per-minute points: the controller changes at most every few batches. */
const PERIOD = 60;

export function dashboardUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(dashboardName)}`;
}

export function dashboardBody(
  provider: Provider,
  names: PipelineNames,
  opts: { region: string; metricsNamespace: string },
): { widgets: Widget[] } {
  const own = (metric: MetricName, stat: Stat, label?: string): MetricRow => [
    opts.metricsNamespace,
    metric,
    METRIC_DIMENSION,
    provider.id,
    { stat, ...(label ? { label } : {}) },
  ];
  const widget = (i: number, title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}): Widget => ({
    type: "metric",
    x: (i % 2) * WIDTH,
    y: Math.floor(i / 2) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: { title, region: opts.region, view: "timeSeries", period: PERIOD, metrics, ...extra },
  });
  const line = (label: string, value: number) => ({ label, value });

  return {
    widgets: [
      widget(
        0,
        "Fan-out limit, mapping batch size and calls in flight",
        [own("BatchSize", "Maximum", "records per invocation"), own("Limit", "Maximum", "fan-out limit"), own("InFlight", "Maximum", "peak in flight")],
        { annotations: { horizontal: [line("maxFanOut", provider.maxFanOut)] }, yAxis: { left: { min: 0 } } },
      ),
      widget(
        1,
        "Calls by outcome",
        [
          own("Ok", "Sum", "ok"),
          own("Error", "Sum", "error"),
          own("Throttled", "Sum", "throttled"),
          own("Timeout", "Sum", "timeout"),
          own("Dead", "Sum", "dead"),
        ],
        { stacked: true },
      ),
      widget(2, "Latency (ms)", [own("LatencyP50", "Average", "p50"), own("LatencyP95", "Maximum", "p95")], {
        annotations: { horizontal: [line("latencyThresholdMs", provider.latencyThresholdMs)] },
        yAxis: { left: { min: 0 } },
      }),
      widget(3, "Circuit breaker (1 = open)", [own("BreakerOpen", "Maximum", "open")], {
        yAxis: { left: { min: 0, max: 1 } },
      }),
      widget(
        4,
        "Stream backlog: iterator age and time held off (ms)",
        // A held-off mapping reads nothing, so no iterator age: the ticks' time held off stands in for it.
        [["AWS/Lambda", "IteratorAge", "FunctionName", names.ventilator, { stat: "Maximum", label: "iterator age" }], own("HeldOffMs", "Maximum", "held off (paused or breaker open)")],
        { annotations: { horizontal: [line("alarm", iteratorAgeAlarmMs(provider))] } },
      ),
      widget(
        5,
        "Dead-letter queue and worker concurrency",
        [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", names.dlq, { stat: "Maximum", label: "dead batches" }],
          ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", names.worker, { stat: "Maximum", label: "worker concurrency" }],
          ["AWS/Lambda", "Throttles", "FunctionName", names.worker, { stat: "Sum", label: "worker throttles" }],
        ],
        { annotations: { horizontal: [line("maxConcurrency", provider.maxConcurrency)] } },
      ),
      widget(6, "Totals over the selected time range (calls)", [own("Ok", "Sum", "ok"), own("Dead", "Sum", "dead"), own("Deduplicated", "Sum", "already done")], {
        view: "singleValue",
        setPeriodToTimeRange: true,
        period: 86_400,
      }),
    ],
  };
}
