/**
 * The ventilator as the Lambda emulator runs it in its own execution
 * environment (a worker thread, see lambda-emulator/sandbox.ts): built, once
 * per environment, from plain configuration with the production handler and
 * AWS SDK adapters pointed at the local engines. Its log/EMF lines go to
 * stdout, as on Lambda, and the emulator hands them to the pipeline.
 * Because it runs in its own thread, a timed-out invocation is really
 * stopped: nothing it had in flight is written afterwards.
 */
import { ledgerDynamoClient, ventilatorLambdaClient } from "../runtime/aws/clients";
import { realSleep } from "../runtime/aws/backoff";
import { LambdaWorkerInvoker } from "../runtime/aws/lambda-invoker";
import { EventSourceMappingControl } from "../runtime/aws/mapping-control";
import { validateProvider } from "../runtime/catalog/validate";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import type { InvocationContext } from "../runtime/ventilator/batch";
import { createVentilator, type VentilatorResult } from "../runtime/ventilator/handler";
import { systemClock } from "../runtime/ventilator/ports";
import { jsonLog } from "../runtime/ventilator/telemetry";

export interface VentilatorSandboxConfig {
  /** The provider's catalog entry (serializeProvider). */
  provider: string;
  table: string;
  streamArn: string;
  /** Name of this function (with the stream it identifies the mapping) and of the worker. */
  ventilatorFunction: string;
  workerFunction: string;
  region: string;
  dynamoEndpoint: string;
  lambdaEndpoint: string;
  metricsNamespace: string;
  mappingUpdateIntervalMs?: number;
  mappingViewMaxAgeMs?: number;
  handBackPauseMs?: number;
}

export function ventilatorHandler(config: VentilatorSandboxConfig): (event: unknown, context: InvocationContext) => Promise<VentilatorResult> {
  const provider = validateProvider(JSON.parse(config.provider), "sandbox provider");
  const store = new DynamoDbLedgerStore({ tableName: config.table, client: ledgerDynamoClient({ endpoint: config.dynamoEndpoint, region: config.region }) });
  const settings = ledgerSettings(provider);
  const client = ventilatorLambdaClient(provider.maxFanOut, { endpoint: config.lambdaEndpoint, region: config.region });
  let context: InvocationContext | undefined;
  const ventilator = createVentilator({
    provider,
    openLedger: () => new Ledger(store, settings),
    invoker: new LambdaWorkerInvoker({ client, functionName: config.workerFunction }),
    mapping: new EventSourceMappingControl({
      client,
      functionName: config.ventilatorFunction,
      eventSourceArn: config.streamArn,
      clock: systemClock,
      sleep: realSleep,
      ...(config.mappingUpdateIntervalMs !== undefined ? { minUpdateIntervalMs: config.mappingUpdateIntervalMs } : {}),
      ...(config.mappingViewMaxAgeMs !== undefined ? { viewMaxAgeMs: config.mappingViewMaxAgeMs } : {}),
      deadlineMs: () => context?.getRemainingTimeInMillis() ?? 0,
    }),
    clock: systemClock,
    log: jsonLog,
    metricsNamespace: config.metricsNamespace,
    ...(config.handBackPauseMs !== undefined ? { handBackPauseMs: config.handBackPauseMs } : {}),
  });
  return (event, ctx) => {
    context = ctx;
    return ventilator(event, ctx);
  };
}
