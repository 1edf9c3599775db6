/**
 * Lambda entry of the ventilator: builds the AWS adapters once per container
 * from the environment the ProviderPipeline component sets (VENTILATOR_ENV).
 */
import { ventilatorLambdaClient } from "../aws/clients";
import { realSleep } from "../aws/backoff";
import { LambdaWorkerInvoker } from "../aws/lambda-invoker";
import { EventSourceMappingControl } from "../aws/mapping-control";
import { validateProvider } from "../catalog/validate";
import { SluiceError } from "../errors";
import { DynamoDbLedgerStore } from "../ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../ledger/ledger";
import { DEFAULT_METRICS_NAMESPACE, VENTILATOR_ENV } from "../lambda-env";
import type { InvocationContext } from "./batch";
import { createVentilator, type VentilatorResult } from "./handler";
import { systemClock } from "./ports";
import { jsonLog } from "./telemetry";

export class VentilatorConfigError extends SluiceError {}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new VentilatorConfigError(`${name} is not set`);
  return value;
}

export function ventilatorFromEnv(env: NodeJS.ProcessEnv, remaining: () => number) {
  let raw: unknown;
  try {
    raw = JSON.parse(required(env, VENTILATOR_ENV.PROVIDER));
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new VentilatorConfigError(`${VENTILATOR_ENV.PROVIDER} is not JSON: ${(err as Error).message}`);
  }
  const provider = validateProvider(raw, VENTILATOR_ENV.PROVIDER);
  const store = new DynamoDbLedgerStore({ tableName: required(env, VENTILATOR_ENV.TABLE) });
  const settings = ledgerSettings(provider);
  const client = ventilatorLambdaClient(provider.maxFanOut);
  const mapping = new EventSourceMappingControl({
    client,
    uuid: env[VENTILATOR_ENV.MAPPING_UUID] || undefined,
    functionName: required(env, "AWS_LAMBDA_FUNCTION_NAME"),
    eventSourceArn: required(env, VENTILATOR_ENV.STREAM_ARN),
    clock: systemClock,
    sleep: realSleep,
    deadlineMs: remaining,
  });
  return createVentilator({
    provider,
    openLedger: () => new Ledger(store, settings),
    invoker: new LambdaWorkerInvoker({ client, functionName: required(env, VENTILATOR_ENV.WORKER_FUNCTION) }),
    mapping,
    clock: systemClock,
    log: jsonLog,
    metricsNamespace: env[VENTILATOR_ENV.METRICS_NAMESPACE] || DEFAULT_METRICS_NAMESPACE,
  });
}

let current: InvocationContext | undefined;
let ventilator: ReturnType<typeof ventilatorFromEnv> | undefined;

export const handler = async (event: unknown, context: InvocationContext): Promise<VentilatorResult> => {
  current = context;
  ventilator ??= ventilatorFromEnv(process.env, () => current?.getRemainingTimeInMillis() ?? 0);
  return ventilator(event, context);
};
