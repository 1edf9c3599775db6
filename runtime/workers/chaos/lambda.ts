/**
 * Lambda entry of the chaos worker. Settings are read from the environment on
 * the first invocation of the container (not at import, so the infrastructure
 * can import `chaosEnvironment` from here); a bad value fails every invocation
 * with an error naming the variable.
 */
import type { ChaosSettings } from "../../catalog/schema";
import { realSleep } from "../../aws/backoff";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import { chaosWorker } from "./chaos";
import { chaosSettingsFromEnv } from "./env";
import { ledgerGuardFromEnv } from "../ledger-guard-env";

export { chaosEnvironment } from "./env";

let worker: WorkerHandler | undefined;

export function loadChaosWorker(env: NodeJS.ProcessEnv = process.env): { settings: ChaosSettings; worker: WorkerHandler } {
  const settings = chaosSettingsFromEnv(env);
  return { settings, worker: chaosWorker(settings, { random: Math.random, sleep: realSleep }) };
}

export const handler = async (event: WorkerRequest): Promise<WorkerResponse> => {
  worker ??= ledgerGuardFromEnv()(loadChaosWorker().worker);
  return worker(event);
};
