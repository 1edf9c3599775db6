/**
 * Lambda entry of the http worker: the contract workers' one entry
 * (runtime/workers/user/lambda.ts) on the http worker's definition.
 */
import { workerConfigFromEnv, workerLambda, WorkerConfigError, type WorkerConfig } from "../user/lambda";
import { httpWorkerDefinition } from "./http";

export { WorkerConfigError as HttpWorkerConfigError };
export type { LambdaContextLike } from "../user/lambda";

export type HttpWorkerConfig = WorkerConfig & { provider: { worker: { module: "http" } } };

export function httpWorkerConfigFromEnv(env: NodeJS.ProcessEnv): HttpWorkerConfig {
  return workerConfigFromEnv(env, "http") as HttpWorkerConfig;
}

export const handler = workerLambda(httpWorkerDefinition, { module: "http" });
