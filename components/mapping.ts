/**
 * The Kinesis event source mapping of a pipeline: its arguments and its
 * resource options, as pure functions so both are testable without Pulumi's
 * engine (mocks never see resource options).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Provider } from "../runtime/catalog/provider";
import { maximumRecordAgeSeconds, maximumRetryAttempts } from "./sizing";

export interface MappingSettings {
  startingPosition: "TRIM_HORIZON";
  batchSize: number;
  parallelizationFactor: number;
  functionResponseTypes: ["ReportBatchItemFailures"];
  bisectBatchOnFunctionError: true;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  enabled: boolean;
}

/**
 * TRIM_HORIZON: records enqueued before the mapping exists (or while a
 * provider is still disabled) are not skipped. Item failures, bisection and
 * bounded retries keep one bad record from blocking a shard.
 */
export function mappingSettings(provider: Provider): MappingSettings {
  return {
    startingPosition: "TRIM_HORIZON",
    batchSize: provider.initialFanOut,
    parallelizationFactor: provider.parallelizationFactor,
    functionResponseTypes: ["ReportBatchItemFailures"],
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: maximumRetryAttempts(),
    maximumRecordAgeInSeconds: maximumRecordAgeSeconds(provider),
    enabled: provider.enabled,
  };
}

/**
 * Properties the ventilator changes at run time, so a deploy must not put them back:
 * - batchSize always (the controller resizes it);
 * - enabled only while the provider is enabled (the breaker and pauses toggle it).
 *   For a provider set to `enabled: false` the program owns the flag, so
 *   `pulumi up` really disables a running mapping; when it is set back to
 *   true the re-arm schedule (disabled meanwhile) turns it on at its next tick.
 */
export function mappingIgnoreChanges(provider: Pick<Provider, "enabled">): string[] {
  return provider.enabled ? ["batchSize", "enabled"] : ["batchSize"];
}

export function mappingOptions(provider: Pick<Provider, "enabled">, base: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return { ...base, ignoreChanges: mappingIgnoreChanges(provider) };
}
