/**
 * Lambda entry of the ventilator, and its one composition root: the deployed
 * function, `sluice local` and the end-to-end tests all build the ventilator
 * here, from a function environment as the ProviderPipeline component sets it
 * (VENTILATOR_ENV, components/environment.ts) plus the Lambda runtime's own
 * variables (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, AWS_ENDPOINT_URL_* for
 * local engines). The adapters are built once per container, at its first
 * invocation. Only what an environment cannot carry is injected (VentilatorSeams).
 */
import { ledgerDynamoClient, ventilatorLambdaClient } from "../aws/clients";
import { realSleep } from "../backoff";
import { LambdaWorkerInvoker } from "../aws/lambda-invoker";
import { EventSourceMappingControl } from "../aws/mapping-control";
import { validateProvider } from "../catalog/validate";
import { SluiceError } from "../errors";
import { DynamoDbLedgerStore } from "../ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../ledger/ledger";
import { DEFAULT_METRICS_NAMESPACE, VENTILATOR_ENV } from "../lambda-env";
import type { InvocationContext } from "./batch";
import { createVentilator, type VentilatorResult } from "./handler";
import { systemClock, type Clock, type LedgerPort } from "./ports";
import { jsonLog, type Log } from "./telemetry";

export class VentilatorConfigError extends SluiceError {}

/** What a function's environment cannot carry; each defaults to what the Lambda runtime gives. */
export interface VentilatorSeams {
  /** Where the log and metric lines go. @default stdout, one JSON line each */
  log?: Log;
  /** @default the system clock */
  clock?: Clock;
  /** Wraps each invocation's ledger (local runs and tests). @default none */
  wrapLedger?: (ledger: LedgerPort) => LedgerPort;
}

export type VentilatorHandler = (event: unknown, context: InvocationContext) => Promise<VentilatorResult>;

/** A ventilator and the SDK clients it holds (a container keeps them for its life; a local run closes them). */
export interface BuiltVentilator {
  handle: VentilatorHandler;
  destroy(): void;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new VentilatorConfigError(`${name} is not set`);
  return value;
}

function optionalMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new VentilatorConfigError(`${name} ${JSON.stringify(raw)} must be a whole number of milliseconds ≥ 0`);
  return value;
}

export function ventilatorFromEnv(env: NodeJS.ProcessEnv, remaining: () => number, seams: VentilatorSeams = {}): BuiltVentilator {
  let raw: unknown;
  try {
    raw = JSON.parse(required(env, VENTILATOR_ENV.PROVIDER));
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new VentilatorConfigError(`${VENTILATOR_ENV.PROVIDER} is not JSON: ${(err as Error).message}`);
  }
  const provider = validateProvider(raw, VENTILATOR_ENV.PROVIDER);
  const clock = seams.clock ?? systemClock;
  // The SDK retries throttling only: a write that may have been applied is the ledger's to retry, or not.
  const dynamo = ledgerDynamoClient({ env });
  const store = new DynamoDbLedgerStore({ tableName: required(env, VENTILATOR_ENV.TABLE), client: dynamo });
  const settings = ledgerSettings(provider);
  // One SDK attempt (the invoker classifies throttles for the controller and the mapping control runs its own
  // retries), and a socket for every call of the fan-out.
  const client = ventilatorLambdaClient(provider.maxFanOut, { env });
  const minUpdateIntervalMs = optionalMs(env, VENTILATOR_ENV.MAPPING_MIN_UPDATE_INTERVAL_MS);
  const viewMaxAgeMs = optionalMs(env, VENTILATOR_ENV.MAPPING_VIEW_MAX_AGE_MS);
  const handBackPauseMs = optionalMs(env, VENTILATOR_ENV.HAND_BACK_PAUSE_MS);
  const mapping = new EventSourceMappingControl({
    client,
    uuid: env[VENTILATOR_ENV.MAPPING_UUID] || undefined,
    functionName: required(env, "AWS_LAMBDA_FUNCTION_NAME"),
    eventSourceArn: required(env, VENTILATOR_ENV.STREAM_ARN),
    clock,
    sleep: realSleep,
    deadlineMs: remaining,
    ...(minUpdateIntervalMs !== undefined ? { minUpdateIntervalMs } : {}),
    ...(viewMaxAgeMs !== undefined ? { viewMaxAgeMs } : {}),
  });
  const wrap = seams.wrapLedger ?? ((ledger: LedgerPort) => ledger);
  const handle = createVentilator({
    provider,
    openLedger: () => wrap(new Ledger(store, settings)),
    invoker: new LambdaWorkerInvoker({ client, functionName: required(env, VENTILATOR_ENV.WORKER_FUNCTION), clock }),
    mapping,
    clock,
    log: seams.log ?? jsonLog,
    metricsNamespace: env[VENTILATOR_ENV.METRICS_NAMESPACE] || DEFAULT_METRICS_NAMESPACE,
    ...(handBackPauseMs !== undefined ? { handBackPauseMs } : {}),
  });
  return {
    handle,
    destroy: () => {
      client.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * A handler that builds its ventilator from `env` at its first invocation, as
 * a Lambda container does at cold start; `destroy` closes its clients.
 */
export function ventilatorHandler(env: NodeJS.ProcessEnv, seams: VentilatorSeams = {}): VentilatorHandler & { destroy(): void } {
  let current: InvocationContext | undefined;
  let built: BuiltVentilator | undefined;
  const handle: VentilatorHandler = async (event, context) => {
    current = context;
    built ??= ventilatorFromEnv(env, () => current?.getRemainingTimeInMillis() ?? 0, seams);
    return built.handle(event, context);
  };
  return Object.assign(handle, { destroy: () => built?.destroy() });
}

export const handler = ventilatorHandler(process.env);
