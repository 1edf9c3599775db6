/**
 * SDK v3 clients for every service sluice touches. Endpoints follow the SDK's
 * own convention (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), so the
 * same bundles run on AWS and on the local engines.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";

export type Service = "DYNAMODB" | "KINESIS" | "LAMBDA" | "S3" | "SECRETS_MANAGER";

export function endpointFor(service: Service, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? undefined;
}

/** Common options; the endpoint override is explicit so tests can pass their own. */
export interface ClientOptions {
  endpoint?: string;
  region?: string;
  /** Attempts of the SDK's own retry (default 3). */
  maxAttempts?: number;
  /** Where the endpoint and region are read (a function's environment). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Credentials the SDK's own chain would not find: those of an environment
 * other than the process's, and made-up ones for local engines (they accept
 * any). Otherwise the chain decides (on Lambda, the function's role).
 */
function credentialsFor(env: NodeJS.ProcessEnv, endpoint: string | undefined) {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (accessKeyId && secretAccessKey) return env === process.env ? undefined : { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  return endpoint ? { accessKeyId: "local", secretAccessKey: "local" } : undefined;
}

function base(service: Service, opts: ClientOptions) {
  const env = opts.env ?? process.env;
  const endpoint = opts.endpoint ?? endpointFor(service, env);
  const credentials = credentialsFor(env, endpoint);
  return {
    region: opts.region ?? env.AWS_REGION ?? "us-east-1",
    ...(endpoint ? { endpoint } : {}),
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export function dynamoClient(opts: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(base("DYNAMODB", opts));
}

/** The SDK's retry token (RetryStrategyV2): how many retries so far, and the wait before the next. */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/**
 * Retries only what DynamoDB refused before applying it (throttling). A 500 or
 * a connection lost after sending may have been applied: the SDK's own retry
 * would apply a conditional ADD twice (a refund of the daily budget, say), so
 * such errors go to the ledger, whose rules know which writes are safe to repeat.
 *   delay = random() × min(5000, 50 × 2^retry) ms
 */
export class ThrottlingOnlyRetry {
  readonly mode = "standard";
  constructor(
    private readonly maxAttempts = 4,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: RetryToken, error: { errorType: string }): Promise<RetryToken> {
    const retry = previous.getRetryCount() + 1;
    if (error.errorType !== "THROTTLING" || retry >= this.maxAttempts) throw new Error("not retried: the write may have been applied");
    return token(retry, Math.floor(this.random() * Math.min(5_000, 50 * 2 ** retry)));
  }

  recordSuccess(): void {}
}

function token(count: number, delay: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delay };
}

/** The ledger's DynamoDB client: the SDK retries throttling only (see ThrottlingOnlyRetry). */
export function ledgerDynamoClient(opts: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({ ...base("DYNAMODB", opts), retryStrategy: new ThrottlingOnlyRetry(opts.maxAttempts ?? 4) });
}

/** HTTP/1.1 on purpose: PutRecords/GetRecords do not need HTTP/2, and kinesis-mock does not speak it. */
export function kinesisClient(opts: ClientOptions = {}): KinesisClient {
  return new KinesisClient({ ...base("KINESIS", opts), requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }) });
}

/**
 * `maxSockets`: the HTTP agent's connection limit. The SDK's default of 50
 * would cap the calls in flight, and time spent queued for a socket would read
 * as provider latency.
 */
export function lambdaClient(opts: ClientOptions & { maxSockets?: number } = {}): LambdaClient {
  const sockets = opts.maxSockets;
  if (sockets === undefined) return new LambdaClient(base("LAMBDA", opts));
  if (!Number.isInteger(sockets) || sockets < 1) throw new RangeError(`lambdaClient: maxSockets ${sockets} must be an integer >= 1`);
  const agent = { keepAlive: true, maxSockets: sockets };
  return new LambdaClient({ ...base("LAMBDA", opts), requestHandler: new NodeHttpHandler({ httpAgent: new HttpAgent(agent), httpsAgent: new HttpsAgent(agent) }) });
}

/** Sockets the ventilator keeps beyond its fan-out, for its mapping's control-plane calls. */
export const CONTROL_PLANE_SOCKETS = 2;

/**
 * The ventilator's Lambda client: one SDK attempt (the invoker classifies
 * throttles for the controller and the mapping control retries on its own) and
 * a socket for every call of its fan-out.
 */
export function ventilatorLambdaClient(maxFanOut: number, opts: ClientOptions = {}): LambdaClient {
  return lambdaClient({ ...opts, maxAttempts: 1, maxSockets: maxFanOut + CONTROL_PLANE_SOCKETS });
}

/** Path-style addressing when an endpoint is overridden: local engines do not serve bucket subdomains. */
export function s3Client(opts: ClientOptions = {}): S3Client {
  const config = base("S3", opts);
  return new S3Client({ ...config, ...("endpoint" in config ? { forcePathStyle: true } : {}) });
}

export function secretsClient(opts: ClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(base("SECRETS_MANAGER", opts));
}

export { base as clientConfig };
