/**
 * Lambda entry of the http worker. The provider's catalog entry arrives in
 * HTTP_WORKER_ENV.PROVIDER and is re-validated with the catalog's own
 * validation on the first invocation of the container (not at import, so
 * bundling and tests can load this file); a bad entry fails every invocation
 * with the catalog's one-line-per-problem message.
 */
import { s3Client, secretsClient } from "../../aws/clients";
import { S3ObjectStore } from "../../aws/s3-store";
import { SecretsManagerSource } from "../../aws/secrets";
import type { Provider } from "../../catalog/provider";
import { validateProvider } from "../../catalog/validate";
import { SluiceError } from "../../errors";
import { HTTP_WORKER_ENV } from "../../lambda-env";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import { fetchTimeoutMs, httpWorker } from "./http";
import type { Fetch } from "./ports";
import { ledgerGuardFromEnv } from "../ledger-guard-env";

export class HttpWorkerConfigError extends SluiceError {}

/** The part of the Lambda context the worker reads. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

export interface HttpWorkerConfig {
  provider: Provider & { worker: { module: "http" } };
  bucket: string;
}

export function httpWorkerConfigFromEnv(env: NodeJS.ProcessEnv): HttpWorkerConfig {
  const text = env[HTTP_WORKER_ENV.PROVIDER];
  if (!text) throw new HttpWorkerConfigError(`${HTTP_WORKER_ENV.PROVIDER} is not set: it must hold the provider's catalog entry`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HttpWorkerConfigError(`${HTTP_WORKER_ENV.PROVIDER} is not JSON: ${(err as Error).message}`);
  }
  const provider = validateProvider(raw, HTTP_WORKER_ENV.PROVIDER);
  if (provider.worker.module !== "http") {
    throw new HttpWorkerConfigError(`${HTTP_WORKER_ENV.PROVIDER}: provider "${provider.id}" has worker.module "${provider.worker.module}", not "http"`);
  }
  const bucket = provider.worker.settings.bucket ?? env[HTTP_WORKER_ENV.BUCKET];
  if (!bucket) {
    throw new HttpWorkerConfigError(`provider "${provider.id}" names no worker.settings.bucket and ${HTTP_WORKER_ENV.BUCKET} is not set`);
  }
  return { provider: provider as HttpWorkerConfig["provider"], bucket };
}

let cold: { config: HttpWorkerConfig; worker: (context?: LambdaContextLike) => WorkerHandler } | undefined;

function load() {
  const config = httpWorkerConfigFromEnv(process.env);
  const store = new S3ObjectStore({ client: s3Client(), bucket: config.bucket });
  const secrets = new SecretsManagerSource({ client: secretsClient() });
  const ownTimeoutMs = config.provider.worker.timeoutSeconds * 1000;
  const fetcher: Fetch = (url, init) => fetch(url, init);
  // The same margin applies to what is left of this invocation, which can be less than the whole timeout.
  const guard = ledgerGuardFromEnv(process.env, store);
  const worker = (context?: LambdaContextLike) =>
    guard(httpWorker(config.provider.worker.settings, {
      fetch: fetcher,
      secrets,
      timeoutMs: () => fetchTimeoutMs(Math.min(ownTimeoutMs, context?.getRemainingTimeInMillis() ?? ownTimeoutMs)),
    }));
  return { config, worker };
}

export const handler = async (event: WorkerRequest, context?: LambdaContextLike): Promise<WorkerResponse> => {
  cold ??= load();
  return cold.worker(context)(event);
};
