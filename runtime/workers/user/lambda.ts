/**
 * The Lambda entry of every contract worker (the built-in http worker and each
 * provider's own): the generated entry of a provider's worker is
 * `export const handler = workerLambda(definition, { module })`.
 *
 * At the first invocation of a container (not at import, so bundling and tests
 * can load the module) it re-validates the catalog entry from the environment,
 * parses worker.settings with the worker's own schema, and builds the runner
 * with the AWS adapters (S3 landing, cached Secrets Manager) behind the ledger
 * guard. A bad entry fails every invocation with one line per problem.
 */
import { s3Client, secretsClient } from "../../aws/clients";
import { S3ObjectStore } from "../../aws/s3-store";
import { SecretsManagerSource } from "../../aws/secrets";
import type { Provider } from "../../catalog/provider";
import { validateProvider } from "../../catalog/validate";
import { ProblemsError } from "../../errors";
import { DEFAULT_METRICS_NAMESPACE, HTTP_WORKER_ENV, VENTILATOR_ENV } from "../../lambda-env";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import { fetchTimeoutMs } from "../deadline";
import { ledgerGuardFromEnv } from "../ledger-guard-env";
import type { WorkerDefinition } from "./define";
import { runWorker } from "./run";
import { isContractWorker, parseSettings, workerBinding, type ContractWorker, type WorkerBinding } from "./settings";

export class WorkerConfigError extends ProblemsError {}

/** The part of the Lambda context the worker reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

export interface WorkerConfig {
  provider: Provider & { worker: ContractWorker };
  binding: WorkerBinding;
  bucket: string;
}

/** The catalog entry from the environment; `module` is the worker.module the bundle was built for. */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv, module: string): WorkerConfig {
  const name = HTTP_WORKER_ENV.PROVIDER;
  const text = env[name];
  if (!text) throw new WorkerConfigError([`${name} is not set: it must hold the provider's catalog entry`]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WorkerConfigError([`${name} is not JSON: ${(err as Error).message}`]);
  }
  const provider = validateProvider(raw, name);
  if (provider.worker.module !== module || !isContractWorker(provider.worker)) {
    throw new WorkerConfigError([`${name}: provider "${provider.id}" has worker.module "${provider.worker.module}", not "${module}"`]);
  }
  const binding = workerBinding(provider.worker);
  const bucket = binding.bucket ?? env[HTTP_WORKER_ENV.BUCKET];
  if (!bucket) {
    const own = provider.worker.module === "http" ? "names no worker.settings.bucket and" : "has no landing bucket:";
    throw new WorkerConfigError([`provider "${provider.id}" ${own} ${HTTP_WORKER_ENV.BUCKET} is not set`]);
  }
  return { provider: provider as WorkerConfig["provider"], binding, bucket };
}

/** A Lambda handler running `definition` for the provider in the function's environment. */
export function workerLambda<S>(definition: WorkerDefinition<S>, opts: { module: string; env?: NodeJS.ProcessEnv }): (event: WorkerRequest, context?: LambdaContextLike) => Promise<WorkerResponse> {
  let cold: ((context?: LambdaContextLike) => WorkerHandler) | undefined;
  const load = () => {
    const env = opts.env ?? process.env;
    const config = workerConfigFromEnv(env, opts.module);
    const settings = parseSettings(definition, config.binding.settings);
    if (!settings.ok) throw new WorkerConfigError(settings.problems.map((p) => `${HTTP_WORKER_ENV.PROVIDER}: provider "${config.provider.id}": ${p}`));
    const store = new S3ObjectStore({ client: s3Client(), bucket: config.bucket });
    const secrets = new SecretsManagerSource({ client: secretsClient() });
    const guard = ledgerGuardFromEnv(env, store);
    const ownTimeoutMs = config.provider.worker.timeoutSeconds * 1000;
    const namespace = env[VENTILATOR_ENV.METRICS_NAMESPACE] ?? DEFAULT_METRICS_NAMESPACE;
    // The margin applies to what is left of this invocation, which can be less than the whole timeout.
    return (context?: LambdaContextLike) =>
      guard(
        runWorker(definition, settings.settings, {
          fetch: (url, init) => fetch(url, init),
          secrets,
          secretIds: config.binding.secretIds,
          timeoutMs: () => fetchTimeoutMs(Math.min(ownTimeoutMs, context?.getRemainingTimeInMillis() ?? ownTimeoutMs)),
          metricsNamespace: namespace,
        }),
      );
  };
  return async (event, context) => {
    cold ??= load();
    return cold(context)(event);
  };
}
