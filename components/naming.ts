/**
 * Physical names of a provider's AWS resources: `sluice-<stack>-<provider>-<role>`,
 * so an operator finds a pipeline in the console by provider id. Names are
 * lower-case and limited to letters, digits and dashes (the intersection of
 * what every service accepts). A name longer than its service allows keeps its
 * start and ends with 8 hex digits of a SHA-256 of the full name, so two
 * long names that share a prefix still differ and the result is stable.
 */
import { createHash } from "node:crypto";

/** Longest name each service accepts. */
export const NAME_LIMITS = {
  lambda: 64,
  iamRole: 64,
  iamPolicy: 128,
  kinesisStream: 128,
  dynamodbTable: 255,
  sqsQueue: 80,
  eventRule: 64,
  dashboard: 255,
  alarm: 255,
  /** `bucketPrefix`: S3 appends 26 characters to reach its 63-character limit. */
  bucketPrefix: 37,
} as const;

const HASH_LENGTH = 8;

/** Lower-cases and turns every run of characters outside [a-z0-9] into one dash. */
export function sanitize(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Joins parts with dashes; past `maxLength` it truncates and appends a hash of the full name. */
export function physicalName(parts: readonly string[], maxLength: number): string {
  if (maxLength <= HASH_LENGTH + 1) throw new RangeError(`maxLength ${maxLength} leaves no room for a name before the hash`);
  const full = parts.map(sanitize).filter((p) => p.length > 0).join("-");
  if (full.length <= maxLength) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  const head = full.slice(0, maxLength - HASH_LENGTH - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** Every physical name of one provider's pipeline in one stack. */
export interface PipelineNames {
  stream: string;
  table: string;
  ventilator: string;
  worker: string;
  ventilatorRole: string;
  workerRole: string;
  dlq: string;
  rearmRule: string;
  dashboard: string;
  ventilatorLogGroup: string;
  workerLogGroup: string;
  alarmBreakerOpen: string;
  alarmDlqNotEmpty: string;
  alarmIteratorAge: string;
  alarmHeldOff: string;
}

export function pipelineNames(stack: string, providerId: string): PipelineNames {
  const name = (role: string | null, max: number) => physicalName(["sluice", stack, providerId, ...(role ? [role] : [])], max);
  const ventilator = name("ventilator", NAME_LIMITS.lambda);
  const worker = name("worker", NAME_LIMITS.lambda);
  return {
    stream: name(null, NAME_LIMITS.kinesisStream),
    table: name("ledger", NAME_LIMITS.dynamodbTable),
    ventilator,
    worker,
    ventilatorRole: name("ventilator", NAME_LIMITS.iamRole),
    workerRole: name("worker", NAME_LIMITS.iamRole),
    dlq: name("dlq", NAME_LIMITS.sqsQueue),
    rearmRule: name("rearm", NAME_LIMITS.eventRule),
    dashboard: name(null, NAME_LIMITS.dashboard),
    // Lambda writes to /aws/lambda/<function name>; the group is created by us so it has a retention.
    ventilatorLogGroup: `/aws/lambda/${ventilator}`,
    workerLogGroup: `/aws/lambda/${worker}`,
    alarmBreakerOpen: name("breaker-open", NAME_LIMITS.alarm),
    alarmDlqNotEmpty: name("dlq-not-empty", NAME_LIMITS.alarm),
    alarmIteratorAge: name("iterator-age", NAME_LIMITS.alarm),
    alarmHeldOff: name("held-off", NAME_LIMITS.alarm),
  };
}

/** Prefix of the stack's landing bucket; S3 completes it to a globally unique name. */
export function landingBucketPrefix(stack: string): string {
  return `${physicalName(["sluice", stack, "landing"], NAME_LIMITS.bucketPrefix - 1)}-`;
}
