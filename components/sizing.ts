/**
 * Sizes derived from a provider's validated catalog entry. Pure; each formula
 * sits in the header of its function. Nothing here re-defaults the catalog:
 * it only turns catalog values into AWS settings.
 */
import type { Provider } from "../runtime/catalog/provider";
import { maximumRecordAgeSeconds } from "../runtime/catalog/timing";

// The timeouts are shared with the ventilator and validation: one definition, in runtime/catalog/timing.ts.
export {
  LAMBDA_MAX_TIMEOUT_SECONDS,
  MAPPING_MAX_RECORD_AGE_SECONDS,
  maximumRecordAgeSeconds,
  VENTILATOR_OVERHEAD_SECONDS,
  WORKER_TIMEOUT_MARGIN_SECONDS,
  ventilatorTimeoutSeconds,
  workerLambdaTimeoutSeconds,
} from "../runtime/catalog/timing";
/** Largest MaximumRetryAttempts a Kinesis mapping accepts. */
export const MAPPING_MAX_RETRY_ATTEMPTS = 10_000;
/** Longest an SQS queue keeps a message (14 days): time to look at a dead batch. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Half-open probes the breaker may fail before its alarm fires. */
export const BREAKER_ALARM_PROBES = 3;
/** Period of the alarms that do not follow the re-arm schedule. */
export const ALARM_PERIOD_SECONDS = 300;
/** Iterator age alarms when records reach this share of their maximum age. */
export const ITERATOR_AGE_ALARM_SHARE = 0.8;
/** Slack over the longest expected wait before an old record is news. */
export const ITERATOR_AGE_SLACK_SECONDS = 3_600;

/** Reserved ventilator instances kept for the re-arm tick, beside one per batch in flight. */
export const REARM_TICK_SLOTS = 1;
/** Oldest a tick may get in Lambda's asynchronous queue before it is dropped (the least AWS accepts). */
export const REARM_TICK_MAX_EVENT_AGE_SECONDS = 60;

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/** waves = ⌈batchSize / fanOut⌉: rounds of concurrent worker calls one batch needs. */
export function fanOutWaves(batchSize: number, fanOut: number): number {
  if (!(batchSize >= 1) || !(fanOut >= 1)) throw new RangeError(`fanOutWaves needs batchSize ≥ 1 and fanOut ≥ 1, got ${batchSize} and ${fanOut}`);
  return Math.ceil(batchSize / fanOut);
}

/**
 * ventilator reserved concurrency = shards × parallelization factor + 1.
 * The mapping runs at most one invocation per batch in flight; the extra slot
 * is the re-arm tick's, so a tick never throttles a batch (Lambda would retry
 * the batch) and a full set of batches never throttles the tick.
 */
export function ventilatorReservedConcurrency(provider: Pick<Provider, "concurrentBatches">): number {
  return provider.concurrentBatches + REARM_TICK_SLOTS;
}

/**
 * worker reserved concurrency = maxConcurrency: the provider's cap as a hard
 * AWS-side ceiling, whatever the ventilator does.
 */
export function workerReservedConcurrency(provider: Pick<Provider, "maxConcurrency">): number {
  return provider.maxConcurrency;
}

/**
 * mapping MaximumRetryAttempts = 10000, the most AWS allows; the record age
 * (the stream's retention) is the real bound. The ventilator hands batches
 * back for reasons that are not failures of a record — a closed window, the
 * daily limit, time running low, a record still leased by a killed
 * invocation — and each hand-back spends one retry. A small bound would send
 * healthy records to the on-failure destination, which receives only the
 * batch's metadata: they would be lost to the pipeline. A record that keeps
 * failing cannot block the shard: the ledger makes it dead after maxAttempts
 * and the ventilator then reports it as processed.
 */
export function maximumRetryAttempts(): number {
  return MAPPING_MAX_RETRY_ATTEMPTS;
}

/** EventBridge schedule expression; AWS wants the singular for 1. */
export function rateExpression(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) throw new RangeError(`rate needs a whole number of minutes ≥ 1, got ${minutes}`);
  return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}

/**
 * Minutes the breaker stays open through BREAKER_ALARM_PROBES failed half-open probes:
 *   step: 3 × rearmIntervalMinutes (it probes at every re-arm tick)     others: Σ_{k<3} min(base × 2^k, max)
 * An open breaker within that time is the controller doing its job; past it the provider needs a human.
 */
export function breakerAlarmMinutes(provider: Pick<Provider, "controller">, rearmIntervalMinutes: number): number {
  const c = provider.controller;
  if (c.strategy === "step") return BREAKER_ALARM_PROBES * rearmIntervalMinutes;
  let total = 0;
  for (let k = 0; k < BREAKER_ALARM_PROBES; k++) total += Math.min(c.breaker.baseIntervalMinutes * 2 ** k, c.breaker.maxIntervalMinutes);
  return total;
}

/**
 * The breaker alarm is evaluated per re-arm period, since an open breaker
 * leaves only the schedule to run the ventilator and report BreakerOpen:
 *   period = max(5, rearm) minutes; evaluationPeriods = ⌈breakerAlarmMinutes / period⌉.
 */
export function breakerAlarmWindow(
  provider: Pick<Provider, "controller">,
  rearmIntervalMinutes: number,
): { periodSeconds: number; evaluationPeriods: number } {
  const periodMinutes = Math.max(ALARM_PERIOD_SECONDS / MINUTE, Math.ceil(rearmIntervalMinutes));
  return {
    periodSeconds: periodMinutes * MINUTE,
    evaluationPeriods: Math.max(1, Math.ceil(breakerAlarmMinutes(provider, rearmIntervalMinutes) / periodMinutes)),
  };
}

/**
 * Iterator age (ms) above which records are late beyond any planned pause:
 *   expected wait = longest closed period + (24 h if a daily limit can pause the day)
 *   threshold = min(expected wait + 1 h, 80 % of the mapping's maximum record age)
 * The cap keeps the alarm ahead of records expiring from the stream.
 */
export function iteratorAgeAlarmMs(
  provider: Pick<Provider, "longestClosedMinutes" | "dailyRequestLimit" | "streamRetentionHours">,
): number {
  const expected = provider.longestClosedMinutes * MINUTE + (provider.dailyRequestLimit !== undefined ? DAY : 0);
  const seconds = Math.min(expected + ITERATOR_AGE_SLACK_SECONDS, ITERATOR_AGE_ALARM_SHARE * maximumRecordAgeSeconds(provider));
  return Math.round(seconds * 1000);
}
