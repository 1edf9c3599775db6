/**
 * Lambda entry of the chaos worker. Settings are read from the environment on
 * the first invocation of the container (not at import, so the infrastructure
 * can import `chaosEnvironment` from here); a bad value fails every invocation
 * with an error naming the variable.
 */
import type { ChaosSettings } from "../../catalog/schema";
import { realSleep } from "../../backoff";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import { chaosWorker } from "./chaos";
import { chaosSettingsFromEnv } from "./env";
import { ledgerGuardFromEnv } from "../ledger-guard-env";
import { fetchTimeoutMs } from "../deadline";

export { chaosEnvironment } from "./env";

let worker: WorkerHandler | undefined;

/** The part of the Lambda context the worker reads. */
interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

let context: RemainingTime | undefined;

export function loadChaosWorker(env: NodeJS.ProcessEnv = process.env): { settings: ChaosSettings; worker: WorkerHandler } {
  const settings = chaosSettingsFromEnv(env);
  // Like a real worker, it answers timeout before Lambda would kill it.
  const timeoutMs = () => (context ? fetchTimeoutMs(context.getRemainingTimeInMillis()) : Number.POSITIVE_INFINITY);
  return { settings, worker: chaosWorker(settings, { random: Math.random, sleep: realSleep, timeoutMs }) };
}

export const handler = async (event: WorkerRequest, lambdaContext?: RemainingTime): Promise<WorkerResponse> => {
  context = lambdaContext;
  worker ??= ledgerGuardFromEnv()(loadChaosWorker().worker);
  return worker(event);
};
