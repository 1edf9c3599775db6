/**
 * How long the functions of a pipeline may run, from its catalog entry: one
 * definition shared by the infrastructure (function timeouts), the ventilator
 * (when a call may still start) and validation (catalogs that would make
 * either impossible). Pure.
 *
 *   worker Lambda timeout = min(900, worker.timeoutSeconds + WORKER_TIMEOUT_MARGIN_SECONDS)
 *   call run              = worker Lambda timeout + WORKER_INIT_MAX_SECONDS
 *     the longest a call can still be running after the ventilator sent it: Lambda does not count a
 *     cold start's init phase (up to 10 s) in the function's timeout. A call starts only if it ends
 *     within its claim's lease.
 *   call bound            = call run + CALL_SLACK_SECONDS
 *     what the time left before an access window closes (or the provider day ends) must cover, and
 *     the shortest lease (the slack is the time between a claim and its call).
 *   ventilator timeout    = min(900, maxFanOut × worker Lambda timeout + VENTILATOR_OVERHEAD_SECONDS)
 *   a call may start only with more than worker.timeoutSeconds × 1000 + INVOKE_MARGIN_MS + FINISH_MARGIN_MS left
 */
import type { Provider } from "./provider";

/** Longest MaximumRecordAgeInSeconds a Kinesis mapping accepts (7 days). */
export const MAPPING_MAX_RECORD_AGE_SECONDS = 604_800;

/**
 * How old a record may get before the mapping gives it up (it is set to the stream's retention):
 *   max record age = min(604800, streamRetentionHours × 3600) seconds
 */
export function maximumRecordAgeSeconds(provider: Pick<Provider, "streamRetentionHours">): number {
  return Math.min(MAPPING_MAX_RECORD_AGE_SECONDS, provider.streamRetentionHours * 3_600);
}

/** AWS Lambda's longest timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Headroom of the worker function past its provider call timeout, to classify and answer. */
export const WORKER_TIMEOUT_MARGIN_SECONDS = 5;
/** Lambda's limit on a cold start's init phase, which the function's timeout does not include. */
export const WORKER_INIT_MAX_SECONDS = 10;
/** Clock skew and network time on top of a call's bound. */
export const CALL_SLACK_SECONDS = 5;
/** Ventilator time outside worker calls: ledger reads and writes, mapping update, metrics. */
export const VENTILATOR_OVERHEAD_SECONDS = 30;
/** Extra wait on a worker invoke beyond the worker's own timeout (Lambda's overhead). */
export const INVOKE_MARGIN_MS = 2_000;
/** Time kept after the last call may end, for the ledger writes and the decision. */
export const FINISH_MARGIN_MS = 3_000;

type Timed = Pick<Provider, "worker">;

export function workerLambdaTimeoutSeconds(provider: Timed): number {
  return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, provider.worker.timeoutSeconds + WORKER_TIMEOUT_MARGIN_SECONDS);
}

/** The longest a worker call can still run after it was sent (see the header). */
export function callRunMs(provider: Timed): number {
  return (workerLambdaTimeoutSeconds(provider) + WORKER_INIT_MAX_SECONDS) * 1000;
}

/** A call's run and some slack: what a window's end must leave room for, and the shortest lease (see the header). */
export function callBoundMs(provider: Timed): number {
  return callRunMs(provider) + CALL_SLACK_SECONDS * 1000;
}

/** Remaining invocation time the ventilator needs to start one more call. */
export function timeToStartCallMs(provider: Timed): number {
  return provider.worker.timeoutSeconds * 1000 + INVOKE_MARGIN_MS + FINISH_MARGIN_MS;
}

/** The longest worker.timeoutSeconds for which a ventilator of Lambda's longest timeout can still start a call. */
export const MAX_WORKER_TIMEOUT_SECONDS = LAMBDA_MAX_TIMEOUT_SECONDS - VENTILATOR_OVERHEAD_SECONDS - (INVOKE_MARGIN_MS + FINISH_MARGIN_MS) / 1000;

/**
 * waves = maxFanOut: the fan-out limit can fall to 1 while the mapping still
 * delivers a batch of maxFanOut, so the worst batch runs maxFanOut waves of
 * worker timeouts. Past 900 s the ventilator hands unstarted records back.
 */
export function ventilatorTimeoutSeconds(provider: Pick<Provider, "worker" | "maxFanOut">): number {
  return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, provider.maxFanOut * workerLambdaTimeoutSeconds(provider) + VENTILATOR_OVERHEAD_SECONDS);
}
