/**
 * An event source mapping's settings: what Create and Update may set, their
 * defaults (Lambda's), and Lambda's limits for Kinesis mappings, checked on
 * every change.
 */
import { invalidParameter } from "./api-errors";
import { streamArn, streamNameOf, type Place } from "./arn";

export const REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures";
export type StartingPosition = "TRIM_HORIZON" | "LATEST";

export interface MappingSettings {
  /** @default 100 */
  batchSize: number;
  /** @default true */
  enabled: boolean;
  /** @default 0 */
  maximumBatchingWindowInSeconds: number;
  /** -1 = retry until the record expires. @default -1 */
  maximumRetryAttempts: number;
  /** -1 = no limit; otherwise 60..604800 as on AWS. @default -1 */
  maximumRecordAgeInSeconds: number;
  /** @default false */
  bisectBatchOnFunctionError: boolean;
  /** @default [] */
  functionResponseTypes: (typeof REPORT_BATCH_ITEM_FAILURES)[];
  /** Only 1 is emulated. @default 1 */
  parallelizationFactor: number;
  /** ARN of the on-failure destination; discarded batches are recorded whether or not one is set. */
  onFailureDestination: string | undefined;
}

export interface MappingConfig extends Partial<MappingSettings> {
  uuid?: string;
  /** Name or ARN of the function the mapping invokes. */
  functionName: string;
  /** The stream, as an ARN or a name (one of the two). */
  eventSourceArn?: string;
  streamName?: string;
  /** @default "TRIM_HORIZON" */
  startingPosition?: StartingPosition;
  /** Wait between polls of a shard that had no records (Lambda polls about once a second). @default 1000 */
  pollIntervalMs?: number;
}

export const DEFAULT_SETTINGS: MappingSettings = {
  batchSize: 100,
  enabled: true,
  maximumBatchingWindowInSeconds: 0,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  functionResponseTypes: [],
  parallelizationFactor: 1,
  onFailureDestination: undefined,
};

/** The stream a mapping reads, from its ARN or its name (one of the two; both must agree). */
export function streamOf(config: MappingConfig, place: Place): { arn: string; name: string } {
  if (config.eventSourceArn !== undefined) {
    const name = streamNameOf(config.eventSourceArn);
    if (!name) throw invalidParameter("EventSourceArn", config.eventSourceArn, "must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)");
    if (config.streamName !== undefined && config.streamName !== name) {
      throw invalidParameter("streamName", config.streamName, `must match the stream of EventSourceArn (${name})`);
    }
    return { arn: config.eventSourceArn, name };
  }
  if (config.streamName === undefined) throw invalidParameter("EventSourceArn", undefined, "a stream ARN or name is required");
  return { arn: streamArn(place, config.streamName), name: config.streamName };
}

export function withDefaults(config: MappingConfig): MappingSettings {
  const out = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof MappingSettings)[]) {
    if (config[key] !== undefined) (out as Record<string, unknown>)[key] = config[key];
  }
  return out;
}

/** Drops absent values, except onFailureDestination, where a present undefined means "clear it". */
export function definedOnly(change: Partial<MappingSettings>): Partial<MappingSettings> {
  return Object.fromEntries(Object.entries(change).filter(([key, v]) => v !== undefined || key === "onFailureDestination")) as Partial<MappingSettings>;
}

/** Lambda's limits for Kinesis mappings (API reference, CreateEventSourceMapping). */
export function validateSettings(s: MappingSettings): void {
  const integerIn = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(field, value, `must be an integer in [${min}, ${max}]`);
  };
  integerIn("BatchSize", s.batchSize, 1, 10_000);
  integerIn("MaximumBatchingWindowInSeconds", s.maximumBatchingWindowInSeconds, 0, 300);
  integerIn("MaximumRetryAttempts", s.maximumRetryAttempts, -1, 10_000);
  if (s.maximumRecordAgeInSeconds !== -1) integerIn("MaximumRecordAgeInSeconds", s.maximumRecordAgeInSeconds, 60, 604_800);
  integerIn("ParallelizationFactor", s.parallelizationFactor, 1, 10);
  if (s.parallelizationFactor !== 1) throw invalidParameter("ParallelizationFactor", s.parallelizationFactor, "the emulator runs 1 batch per shard only");
  if (typeof s.enabled !== "boolean") throw invalidParameter("Enabled", s.enabled, "must be a boolean");
  if (typeof s.bisectBatchOnFunctionError !== "boolean") throw invalidParameter("BisectBatchOnFunctionError", s.bisectBatchOnFunctionError, "must be a boolean");
  for (const type of s.functionResponseTypes) {
    if (type !== REPORT_BATCH_ITEM_FAILURES) throw invalidParameter("FunctionResponseTypes", s.functionResponseTypes, `only ${REPORT_BATCH_ITEM_FAILURES} exists`);
  }
}
