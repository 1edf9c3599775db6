/**
 * The stack's configuration (Pulumi.<stack>.yaml), read and checked in one
 * place. Defaults are documented here and in Pulumi.dev.yaml; every problem
 * names its config key.
 */
import { DEFAULT_CATALOG } from "../runtime/catalog/load";
import { DEFAULT_ACCOUNT_CONCURRENCY_LIMIT } from "./account-budget";
import { SluiceError } from "../runtime/errors";
import { DEFAULT_METRICS_NAMESPACE } from "../runtime/lambda-env";

/** Config keys, all in the `sluice` namespace except the region. */
export const CONFIG = {
  CATALOG: "catalog",
  REARM_INTERVAL_MINUTES: "rearmIntervalMinutes",
  LOG_RETENTION_DAYS: "logRetentionDays",
  ALARM_TOPIC_ARN: "alarmTopicArn",
  METRICS_NAMESPACE: "metricsNamespace",
  ACCOUNT_CONCURRENCY_LIMIT: "accountConcurrencyLimit",
} as const;

export const STACK_DEFAULTS = {
  catalog: DEFAULT_CATALOG,
  rearmIntervalMinutes: 10,
  logRetentionDays: 30,
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
  accountConcurrencyLimit: DEFAULT_ACCOUNT_CONCURRENCY_LIMIT,
} as const;

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export interface StackSettings {
  stack: string;
  region: string;
  /** Path of the catalog, relative to the project directory. */
  catalogPath: string;
  /** @default 10 */
  rearmIntervalMinutes: number;
  /** @default 30 */
  logRetentionDays: number;
  /** SNS topic for alarm and OK notifications; none means the alarms only show in the console. */
  alarmTopicArn?: string;
  /** @default "Sluice" */
  metricsNamespace: string;
  /**
   * The account's Lambda concurrency limit in the stack's Region (`aws lambda
   * get-account-settings`: AccountLimit.ConcurrentExecutions), less what other
   * stacks in the account reserve. The providers' reservations must leave 100 of it unreserved.
   * @default 1000
   */
  accountConcurrencyLimit: number;
}

export class StackConfigError extends SluiceError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

export interface ConfigSource {
  stack: string;
  /** `aws:region` (or AWS_REGION), as the AWS provider resolves it. */
  region: string | undefined;
  /** Raw value of a `sluice:` key. */
  get(key: string): string | undefined;
}

export function readStackSettings(source: ConfigSource): StackSettings {
  const problems: string[] = [];
  const key = (k: string) => `sluice:${k}`;

  const integer = (k: string, fallback: number, min: number, max: number): number => {
    const raw = source.get(k);
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key(k)} ${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const region = source.region?.trim();
  if (!region) problems.push("aws:region is not set: run `pulumi config set aws:region <region>`");

  const catalogPath = source.get(CONFIG.CATALOG)?.trim() || STACK_DEFAULTS.catalog;
  const rearmIntervalMinutes = integer(CONFIG.REARM_INTERVAL_MINUTES, STACK_DEFAULTS.rearmIntervalMinutes, 1, 1_440);
  const logRetentionDays = integer(CONFIG.LOG_RETENTION_DAYS, STACK_DEFAULTS.logRetentionDays, 1, 3_653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(`${key(CONFIG.LOG_RETENTION_DAYS)} ${logRetentionDays} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }

  const alarmTopicArn = source.get(CONFIG.ALARM_TOPIC_ARN)?.trim() || undefined;
  if (alarmTopicArn !== undefined && !/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(alarmTopicArn)) {
    problems.push(`${key(CONFIG.ALARM_TOPIC_ARN)} ${JSON.stringify(alarmTopicArn)} is not an SNS topic ARN`);
  }

  const accountConcurrencyLimit = integer(CONFIG.ACCOUNT_CONCURRENCY_LIMIT, STACK_DEFAULTS.accountConcurrencyLimit, 1, 10_000_000);

  const metricsNamespace = source.get(CONFIG.METRICS_NAMESPACE)?.trim() || STACK_DEFAULTS.metricsNamespace;
  if (metricsNamespace.startsWith("AWS/") || metricsNamespace.length > 255 || !/^[A-Za-z0-9 ._/#:-]+$/.test(metricsNamespace)) {
    problems.push(`${key(CONFIG.METRICS_NAMESPACE)} ${JSON.stringify(metricsNamespace)} is not a custom CloudWatch namespace`);
  }

  if (problems.length > 0) throw new StackConfigError(problems);
  return {
    stack: source.stack,
    region: region!,
    catalogPath,
    rearmIntervalMinutes,
    logRetentionDays,
    ...(alarmTopicArn !== undefined ? { alarmTopicArn } : {}),
    metricsNamespace,
    accountConcurrencyLimit,
  };
}
