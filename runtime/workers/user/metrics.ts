/**
 * One Embedded Metric Format line per worker call, written by sluice around
 * the user's function: CloudWatch extracts the metrics from the log line.
 * Kept apart from the ventilator's METRICS (runtime/ventilator/telemetry.ts):
 * the dashboard and alarms read those, and these add per-call detail.
 */
import { emfLineOf } from "../../ventilator/telemetry";

export const WORKER_METRICS = {
  WorkerLatency: "Milliseconds",
  WorkerOk: "Count",
  WorkerThrottled: "Count",
  WorkerError: "Count",
  WorkerTimeout: "Count",
  WorkerPermanent: "Count",
  WorkerAuth: "Count",
} as const;

const COUNT_BY_KIND: Record<string, keyof typeof WORKER_METRICS> = {
  ok: "WorkerOk",
  throttled: "WorkerThrottled",
  error: "WorkerError",
  timeout: "WorkerTimeout",
  permanent: "WorkerPermanent",
  auth: "WorkerAuth",
};

export function workerEmfLine(namespace: string, providerId: string, timestamp: number, kind: string, latencyMs: number, context: Record<string, unknown>): Record<string, unknown> {
  const count = COUNT_BY_KIND[kind] ?? "WorkerError";
  return emfLineOf(WORKER_METRICS, namespace, providerId, timestamp, { WorkerLatency: Math.round(latencyMs), [count]: 1 }, { ...context, outcome: kind });
}
