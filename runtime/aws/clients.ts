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

/** HTTP/1.1 on purpose: PutRecords/GetRecords do not need HTTP/2, and kinesis-mock does not speak it. */
export function kinesisClient(opts: ClientOptions = {}): KinesisClient {
  return new KinesisClient({ ...base("KINESIS", opts), requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000 }) });
}

export function lambdaClient(opts: ClientOptions = {}): LambdaClient {
  return new LambdaClient(base("LAMBDA", opts));
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
