/**
 * One provider's pipeline on the local engines, wired exactly as the Pulumi
 * component wires it on AWS: a stream, a ledger table, a worker and a
 * ventilator function, a Kinesis event source mapping with
 * ReportBatchItemFailures, and the re-arm schedule. The ventilator is the
 * deployed Lambda entry (runtime/ventilator/lambda.ts), built from the
 * environment the component gives the function on AWS, with the engines'
 * endpoints. Used by the end-to-end tests and by `sluice local`.
 */
import { ventilatorEnvironment } from "../components/environment";
import { pipelineNames, type PipelineNames } from "../components/naming";
import { maximumRecordAgeSeconds, ventilatorReservedConcurrency, workerReservedConcurrency } from "../components/sizing";
import { realSleep } from "../runtime/aws/backoff";
import { putRecordsReliably } from "../runtime/aws/stream-writer";
import type { Provider } from "../runtime/catalog/provider";
import type { ChaosSettings } from "../runtime/catalog/schema";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { createLedgerTable } from "../runtime/ledger/table";
import { DEFAULT_METRICS_NAMESPACE, VENTILATOR_ENV } from "../runtime/lambda-env";
import type { InvocationContext } from "../runtime/ventilator/batch";
import { ventilatorHandler } from "../runtime/ventilator/lambda";
import { systemClock, type Clock, type LedgerPort } from "../runtime/ventilator/ports";
import { encodeStreamRecord, type StreamRecord } from "../runtime/ventilator/records";
import type { Log } from "../runtime/ventilator/telemetry";
import { chaosWorker } from "../runtime/workers/chaos/chaos";
import type { WorkerRequest, WorkerResponse } from "../runtime/workers/contract";
import { withLedgerGuard } from "../runtime/workers/ledger-guard";
import type { LocalEngines } from "./engines";
import type { MappingHandle } from "./lambda-emulator";
import type { Schedule } from "./lambda-emulator/schedule";
import { createStream } from "./engines/kinesis";

/** A call the simulated provider served, as the provider saw it. */
export interface ProviderCall {
  recordId: string;
  startedAt: number;
  endedAt: number;
  outcome: "ok" | "error" | "throttled";
}

export interface LocalPipelineOptions {
  provider: Provider;
  /** The chaos profile; the object is read at every call, so changing it changes the provider. */
  chaos: ChaosSettings;
  /** Stack part of the resource names. @default "local" */
  stack?: string;
  /** Re-arm schedule interval. @default 10 minutes */
  rearmIntervalMs?: number;
  /** Ventilator function timeout. @default 900 s */
  ventilatorTimeoutMs?: number;
  /** Smallest gap between two batch-size updates of one container. @default 5000 */
  mappingUpdateIntervalMs?: number;
  /** Age after which a container's cached mapping view is re-read before an update. @default 60000 */
  mappingViewMaxAgeMs?: number;
  /** Lambda's poll interval for an idle shard. @default 1000 */
  pollIntervalMs?: number;
  /** MaximumRetryAttempts of the mapping. @default 10000 */
  maximumRetryAttempts?: number;
  clock?: Clock;
  random?: () => number;
  /** Where the ventilator's log/EMF lines go. @default kept in `logs` only */
  log?: Log;
  /** Test seam: sits between the worker and the simulated provider (e.g. to fail chosen records). */
  intercept?: (request: WorkerRequest, provider: (request: WorkerRequest) => Promise<WorkerResponse>) => Promise<WorkerResponse>;
  /** Test seam: wrap the ventilator's ledger (e.g. to stall a write). */
  wrapLedger?: (ledger: LedgerPort) => LedgerPort;
  /** Test seam: variables set on top of the ventilator's environment. */
  environment?: Record<string, string>;
}

export interface LocalPipeline {
  provider: Provider;
  names: PipelineNames;
  streamArn: string;
  mapping: MappingHandle;
  schedule: Schedule;
  chaos: ChaosSettings;
  /** Every call the provider served, in completion order. */
  calls: ProviderCall[];
  /** Every line the ventilator logged. */
  logs: Record<string, unknown>[];
  /** The ventilator function's environment: the component's, the Lambda runtime's, the engines' endpoints. */
  ventilatorEnvironment: Record<string, string>;
  /** A fresh ledger on the pipeline's table, for reading. */
  ledger(): Ledger;
  enqueue(records: readonly StreamRecord[]): Promise<{ sent: number; failed: number }>;
  stop(): Promise<void>;
}

/**
 * On Lambda a timed-out invocation's sandbox stops: nothing it still had in
 * flight gets written afterwards. In-process code cannot be stopped, so every
 * ledger call made after the invocation's deadline hangs forever instead.
 */
export function frozenAfterTimeout(ledger: LedgerPort, context: InvocationContext): LedgerPort {
  const frozen = new Proxy(ledger, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        context.getRemainingTimeInMillis() <= 0 ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return frozen;
}

export async function startLocalPipeline(engines: LocalEngines, opts: LocalPipelineOptions): Promise<LocalPipeline> {
  const { provider } = opts;
  const clock = opts.clock ?? systemClock;
  const names = pipelineNames(opts.stack ?? "local", provider.id);
  const { emulator } = engines;

  const [{ streamArn }] = await Promise.all([
    createStream(engines.kinesis, names.stream, provider.shardCount),
    createLedgerTable(engines.dynamo, names.table),
  ]);
  const store = new DynamoDbLedgerStore({ tableName: names.table, client: engines.dynamo });
  const settings = ledgerSettings(provider);
  const newLedger = () => new Ledger(store, settings);

  const calls: ProviderCall[] = [];
  const chaos = opts.chaos;
  const chaosProvider = chaosWorker(chaos, { random: opts.random ?? Math.random, sleep: realSleep });
  const intercept = opts.intercept;
  const provide = intercept ? (request: WorkerRequest) => intercept(request, chaosProvider) : chaosProvider;
  const served = async (request: WorkerRequest): Promise<WorkerResponse> => {
    const startedAt = clock.now();
    try {
      const response = await provide(request);
      calls.push({ recordId: request.recordId, startedAt, endedAt: clock.now(), outcome: response.ok ? "ok" : "throttled" });
      return response;
    } catch (err) {
      calls.push({ recordId: request.recordId, startedAt, endedAt: clock.now(), outcome: "error" });
      throw err;
    }
  };
  emulator.functions.register({
    name: names.worker,
    handler: (event) => withLedgerGuard(served, newLedger, clock)(event as WorkerRequest),
    timeoutMs: provider.worker.timeoutSeconds * 1000,
    reservedConcurrency: workerReservedConcurrency(provider),
    memoryMb: provider.worker.memoryMb,
  });

  const logs: Record<string, unknown>[] = [];
  const ms = (value: number) => String(Math.round(value));
  const environment: Record<string, string> = {
    ...ventilatorEnvironment(provider, { tableName: names.table, streamArn, workerFunctionName: names.worker, metricsNamespace: DEFAULT_METRICS_NAMESPACE }),
    ...engines.environment,
    AWS_LAMBDA_FUNCTION_NAME: names.ventilator,
    ...(opts.mappingUpdateIntervalMs !== undefined ? { [VENTILATOR_ENV.MAPPING_MIN_UPDATE_INTERVAL_MS]: ms(opts.mappingUpdateIntervalMs) } : {}),
    ...(opts.mappingViewMaxAgeMs !== undefined ? { [VENTILATOR_ENV.MAPPING_VIEW_MAX_AGE_MS]: ms(opts.mappingViewMaxAgeMs) } : {}),
    ...opts.environment,
  };
  let context: InvocationContext | undefined;
  const ventilator = ventilatorHandler(environment, {
    clock,
    log: (line) => {
      logs.push(line);
      opts.log?.(line);
    },
    wrapLedger: (ledger) => {
      const wrapped = opts.wrapLedger ? opts.wrapLedger(ledger) : ledger;
      return context ? frozenAfterTimeout(wrapped, context) : wrapped;
    },
  });
  emulator.functions.register({
    name: names.ventilator,
    handler: (event, ctx) => {
      context = ctx;
      return ventilator(event, ctx);
    },
    timeoutMs: opts.ventilatorTimeoutMs ?? 900_000,
    reservedConcurrency: ventilatorReservedConcurrency(provider),
  });

  const mapping = emulator.createMapping({
    functionName: names.ventilator,
    eventSourceArn: streamArn,
    batchSize: provider.initialFanOut,
    enabled: provider.enabled,
    startingPosition: "TRIM_HORIZON",
    functionResponseTypes: ["ReportBatchItemFailures"],
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: opts.maximumRetryAttempts ?? 10_000,
    maximumRecordAgeInSeconds: maximumRecordAgeSeconds(provider),
    parallelizationFactor: provider.parallelizationFactor,
    pollIntervalMs: opts.pollIntervalMs,
  });
  const schedule = emulator.startSchedule({ functionName: names.ventilator, intervalMs: opts.rearmIntervalMs ?? 600_000 });

  return {
    provider,
    names,
    streamArn,
    mapping,
    schedule,
    chaos,
    calls,
    logs,
    ventilatorEnvironment: environment,
    ledger: newLedger,
    async enqueue(records) {
      const result = await putRecordsReliably(
        engines.kinesis,
        names.stream,
        records.map((r) => ({ data: encodeStreamRecord(r), partitionKey: r.id })),
        { sleep: realSleep },
      );
      return { sent: result.sent, failed: result.failed.length };
    },
    async stop() {
      schedule.stop();
      await mapping.poller.stop();
      ventilator.destroy();
    },
  };
}
