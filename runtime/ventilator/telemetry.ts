/**
 * One JSON line per batch that is both the structured log and CloudWatch
 * Embedded Metric Format: CloudWatch extracts the metrics from the log line,
 * so a dashboard can draw the fan-out limit and the mapping batch size over
 * time without a metric filter or a
 * PutMetricData call on the hot path.
 */
import type { summarize } from "../controller/batch-stats";

export type Stats = ReturnType<typeof summarize>;

/** Metric names the dashboard and alarms read (components/ uses the same list). */
export const METRICS = {
  /** Records in the invocation (what the mapping batch size allowed and the stream held). */
  BatchSize: "Count",
  /** The fan-out limit the batch ran under: calls it may have in flight. */
  Limit: "Count",
  InFlight: "Count",
  Ok: "Count",
  Error: "Count",
  Throttled: "Count",
  Timeout: "Count",
  Dead: "Count",
  Deduplicated: "Count",
  HandedBack: "Count",
  LatencyP50: "Milliseconds",
  LatencyP95: "Milliseconds",
  BreakerOpen: "Count",
  /** Re-arm tick: how long the pipeline has been held off (mapping kept disabled by a pause or the breaker), 0 while it runs. */
  HeldOffMs: "Milliseconds",
  /** 1 when the provider refused the credential and the pipeline paused for it: alarm on any. */
  AuthFailed: "Count",
} as const;
export type MetricName = keyof typeof METRICS;

export const METRIC_DIMENSION = "Provider";

export type Log = (line: Record<string, unknown>) => void;

export const jsonLog: Log = (line) => {
  process.stdout.write(JSON.stringify(line) + "\n");
};

/** Wraps metric values in the EMF envelope, keeping every other field as plain log context. */
export function emfLine(
  namespace: string,
  providerId: string,
  timestamp: number,
  metrics: Partial<Record<MetricName, number>>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  return emfLineOf(METRICS, namespace, providerId, timestamp, metrics, context);
}

/** emfLine for any set of metrics (name → unit), e.g. the workers' own (runtime/workers/user/metrics.ts). */
export function emfLineOf<Name extends string>(
  units: Readonly<Record<Name, string>>,
  namespace: string,
  providerId: string,
  timestamp: number,
  metrics: Partial<Record<Name, number>>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const names = (Object.keys(metrics) as Name[]).filter((k) => Number.isFinite(metrics[k]));
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[METRIC_DIMENSION]],
          Metrics: names.map((Name) => ({ Name, Unit: units[Name] })),
        },
      ],
    },
    [METRIC_DIMENSION]: providerId,
    ...context,
    ...Object.fromEntries(names.map((n) => [n, metrics[n]])),
  };
}
