/**
 * The port under the mapping control policy: one read and one update of the
 * event source mapping, each a single request (a List may span pages). The SDK
 * adapter (runtime/aws/mapping-control) and the simulator's control plane
 * (sim/mapping-control) implement it; the policy (./policy) owns every rule.
 *
 * A failed request rejects with a MappingError whose `failure` says what the
 * policy may do about it:
 *   in-use     ResourceInUseException: a previous update is still being applied
 *   conflict   ResourceConflictException (409): another operation is in progress
 *   throttled  TooManyRequestsException: the account's 15 requests/s are spent
 *   transient  a 5xx or no answer at all (network): only a read may be retried
 *   rejected   anything else (4xx): not retried
 * A MappingError without `failure` (not found, two found, a malformed answer)
 * is not retried either.
 */
import { SluiceError } from "../errors";
import type { MappingView } from "../ventilator/ports";

export const MAPPING_FAILURES = ["in-use", "conflict", "throttled", "transient", "rejected"] as const;
export type MappingFailure = (typeof MAPPING_FAILURES)[number];

/** The fields an UpdateEventSourceMapping request carries, named as Lambda names them. */
export interface MappingDelta {
  BatchSize?: number;
  Enabled?: boolean;
}

export interface MappingTransport {
  get(): Promise<MappingView>;
  update(uuid: string, delta: MappingDelta): Promise<MappingView>;
}

/** The mapping could not be found, read or changed; the message names the request and the service's error. */
export class MappingError extends SluiceError {
  readonly failure: MappingFailure | undefined;
  constructor(message: string, options: { failure?: MappingFailure; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.failure = options.failure;
  }
}

const BY_NAME: Readonly<Record<string, MappingFailure>> = {
  ResourceInUseException: "in-use",
  ResourceConflictException: "conflict",
  TooManyRequestsException: "throttled",
};

/** Classifies a failed request by the service's error name and the HTTP status (undefined: no answer). */
export function mappingFailureOf(errorName: string | undefined, httpStatus: number | undefined): MappingFailure {
  const named = errorName === undefined ? undefined : BY_NAME[errorName];
  if (named) return named;
  return httpStatus === undefined || httpStatus >= 500 ? "transient" : "rejected";
}

/** Failures an update is retried on: the update was certainly not applied. */
export function updateRetryable(failure: MappingFailure | undefined): boolean {
  return failure === "in-use" || failure === "conflict" || failure === "throttled";
}

/** Failures a read is retried on: those of an update, and what only says the service or the network had a bad moment. */
export function readRetryable(failure: MappingFailure | undefined): boolean {
  return failure !== undefined && failure !== "rejected";
}
