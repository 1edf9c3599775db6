/**
 * The Lambda API's error answers. The emulator's parts throw these; the server
 * turns one into the status, x-amzn-errortype header and body the real service
 * sends, so the SDK raises its own exception class (restJson1 reads the type
 * from the header, the message from `message` or `Message`).
 */
import { SluiceError } from "../../runtime/errors";

export const LAMBDA_ERROR = {
  RESOURCE_NOT_FOUND: "ResourceNotFoundException",
  RESOURCE_IN_USE: "ResourceInUseException",
  RESOURCE_CONFLICT: "ResourceConflictException",
  TOO_MANY_REQUESTS: "TooManyRequestsException",
  INVALID_PARAMETER: "InvalidParameterValueException",
  INVALID_REQUEST_CONTENT: "InvalidRequestContentException",
  UNKNOWN_OPERATION: "UnknownOperationException",
} as const;
export type LambdaErrorType = (typeof LAMBDA_ERROR)[keyof typeof LAMBDA_ERROR];

/** HTTP status of each error, from the API model (httpError traits in @aws-sdk/client-lambda). */
const STATUS: Record<LambdaErrorType, number> = {
  ResourceNotFoundException: 404,
  ResourceInUseException: 400,
  ResourceConflictException: 409,
  TooManyRequestsException: 429,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  UnknownOperationException: 404,
};

/** Why a request was throttled, as TooManyRequestsException's `Reason` field says it. */
export const THROTTLE_REASON = {
  CALLER_RATE: "CallerRateLimitExceeded",
  RESERVED_CONCURRENCY: "ReservedFunctionConcurrentInvocationLimitExceeded",
} as const;
export type ThrottleReason = (typeof THROTTLE_REASON)[keyof typeof THROTTLE_REASON];

export class LambdaApiError extends SluiceError {
  readonly status: number;
  constructor(
    readonly type: LambdaErrorType,
    message: string,
    readonly extra: { reason?: ThrottleReason; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = STATUS[type];
  }

  /** The JSON body, with the message field spelled as the API model spells it for this type. */
  body(): Record<string, unknown> {
    const messageField = CAPITALISED_MESSAGE.has(this.type) ? "Message" : "message";
    return { Type: "User", [messageField]: this.message, ...(this.extra.reason ? { Reason: this.extra.reason } : {}) };
  }
}

/** Error shapes whose message member is `Message` in the model; the others use `message`. */
const CAPITALISED_MESSAGE = new Set<LambdaErrorType>([LAMBDA_ERROR.RESOURCE_NOT_FOUND, LAMBDA_ERROR.RESOURCE_IN_USE, LAMBDA_ERROR.UNKNOWN_OPERATION]);

export function functionNotFound(arnOrName: string): LambdaApiError {
  return new LambdaApiError(LAMBDA_ERROR.RESOURCE_NOT_FOUND, `Function not found: ${arnOrName}`);
}

export function mappingNotFound(uuid: string): LambdaApiError {
  return new LambdaApiError(LAMBDA_ERROR.RESOURCE_NOT_FOUND, `The resource you requested does not exist. (Service: Lambda, Status Code: 404, UUID: ${uuid})`);
}

export function invalidParameter(field: string, value: unknown, rule: string): LambdaApiError {
  return new LambdaApiError(LAMBDA_ERROR.INVALID_PARAMETER, `${field} ${JSON.stringify(value)} is invalid: ${rule}`);
}
