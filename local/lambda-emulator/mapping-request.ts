/**
 * The members of a Create/UpdateEventSourceMapping request and the mapping
 * settings they set. A member the emulator does not know is refused, not
 * silently ignored; a DestinationConfig without a destination clears it.
 */
import { invalidParameter } from "./api-errors";
import type { MappingSettings } from "./mapping-settings";

/** API members that map onto mapping settings; anything else is refused rather than silently ignored. */
const SETTING_MEMBERS: Record<string, keyof MappingSettings> = {
  BatchSize: "batchSize",
  Enabled: "enabled",
  MaximumBatchingWindowInSeconds: "maximumBatchingWindowInSeconds",
  MaximumRetryAttempts: "maximumRetryAttempts",
  MaximumRecordAgeInSeconds: "maximumRecordAgeInSeconds",
  BisectBatchOnFunctionError: "bisectBatchOnFunctionError",
  FunctionResponseTypes: "functionResponseTypes",
  ParallelizationFactor: "parallelizationFactor",
};
export const UPDATABLE = new Set(["FunctionName", "DestinationConfig", ...Object.keys(SETTING_MEMBERS)]);
export const CREATABLE = new Set([...UPDATABLE, "EventSourceArn", "StartingPosition"]);

export function settingsFrom(input: Record<string, unknown>, allowed: Set<string>): { functionName: string | undefined; change: Partial<MappingSettings> } {
  const change: Partial<MappingSettings> = {};
  for (const [member, value] of Object.entries(input)) {
    if (!allowed.has(member)) throw invalidParameter(member, value, "is not supported by the emulator");
    const key = SETTING_MEMBERS[member];
    if (key !== undefined) (change as Record<string, unknown>)[key] = value;
  }
  if (input.DestinationConfig !== undefined) {
    const destination = (input.DestinationConfig as { OnFailure?: { Destination?: unknown } } | null)?.OnFailure?.Destination;
    if (destination !== undefined && typeof destination !== "string") throw invalidParameter("DestinationConfig.OnFailure.Destination", destination, "must be an ARN");
    // Present but without a destination clears it: the key stays, with undefined.
    change.onFailureDestination = destination || undefined;
  }
  const fn = input.FunctionName;
  if (fn !== undefined && typeof fn !== "string") throw invalidParameter("FunctionName", fn, "must be a string");
  return { functionName: fn, change };
}
