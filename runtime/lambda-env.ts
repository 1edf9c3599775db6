/**
 * Environment variables the Pulumi component sets and the Lambda entry points
 * read. Names live here only, so infrastructure and runtime cannot disagree.
 */
export const VENTILATOR_ENV = {
  /** The provider's catalog entry, from `serializeProvider`; re-validated at cold start. */
  PROVIDER: "SLUICE_PROVIDER",
  /** The provider's ledger table. */
  TABLE: "SLUICE_TABLE",
  /** The provider's stream ARN: with the function's own name it finds the mapping. */
  STREAM_ARN: "SLUICE_STREAM_ARN",
  /** Name or ARN of the provider's worker function. */
  WORKER_FUNCTION: "SLUICE_WORKER_FUNCTION",
  /** Optional: the mapping UUID, when known, saves a ListEventSourceMappings call per cold start. */
  MAPPING_UUID: "SLUICE_MAPPING_UUID",
  /** CloudWatch namespace of the Embedded Metric Format lines. */
  METRICS_NAMESPACE: "SLUICE_METRICS_NAMESPACE",
  /** Optional: smallest gap in ms between two mapping batch size updates of one container (default 5000; local runs compress it). */
  MAPPING_MIN_UPDATE_INTERVAL_MS: "SLUICE_MAPPING_MIN_UPDATE_INTERVAL_MS",
  /** Optional: age in ms after which a container re-reads its cached mapping view before an update (default 60000). */
  MAPPING_VIEW_MAX_AGE_MS: "SLUICE_MAPPING_VIEW_MAX_AGE_MS",
} as const;

/** Every worker: with both set, the worker marks a fetched record done in the ledger itself. */
export const WORKER_LEDGER_ENV = {
  PROVIDER: "SLUICE_PROVIDER",
  TABLE: "SLUICE_TABLE",
} as const;

/** The chaos worker keeps the original demo's variable names. */
export const CHAOS_ENV = {
  BASE_LATENCY_MS: "BASE_LATENCY_MS",
  SLOW_PERCENTAGE: "SLOW_PERCENTAGE",
  SLOW_MS: "SLOW_MS",
  ERROR_PERCENTAGE: "ERROR_PERCENTAGE",
  THROTTLE_PERCENTAGE: "THROTTLE_PERCENTAGE",
} as const;

export const HTTP_WORKER_ENV = {
  /** The provider's catalog entry (its worker.settings hold the URL template and secret). */
  PROVIDER: "SLUICE_PROVIDER",
  /** Landing bucket when the provider does not name its own. */
  BUCKET: "SLUICE_BUCKET",
} as const;

export const DEFAULT_METRICS_NAMESPACE = "Sluice";
