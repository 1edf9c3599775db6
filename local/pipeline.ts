/**
 * One provider's pipeline on the local engines, wired exactly as the Pulumi
 * component wires it on AWS: a stream, a ledger table, a worker and a
 * ventilator function, a Kinesis event source mapping with
 * ReportBatchItemFailures, and the re-arm schedule. The ventilator is the
 * deployed Lambda entry (runtime/ventilator/lambda.ts), built from the
 * environment the component gives the function on AWS, with the engines'
 * endpoints, and run as Lambda runs it: in its own execution environments
 * (worker threads, see lambda-emulator/sandbox.ts), so a timed-out invocation
 * is stopped and nothing it started goes on. The worker runs in-process with
 * the simulated provider and its test seams, or sandboxed from a module.
 * Used by the end-to-end tests and by `sluice local`.
 */
import * as path from "node:path";
import { ventilatorEnvironment } from "../components/environment";
import { pipelineNames, type PipelineNames } from "../components/naming";
import { maximumRecordAgeSeconds, ventilatorReservedConcurrency, workerReservedConcurrency } from "../components/sizing";
import { realSleep } from "../runtime/backoff";
import { putRecordsReliably } from "../runtime/aws/stream-writer";
import { serializeProvider, type Provider } from "../runtime/catalog/provider";
import type { ChaosSettings } from "../runtime/catalog/schema";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { createLedgerTable } from "../runtime/ledger/table";
import { DEFAULT_METRICS_NAMESPACE, VENTILATOR_ENV, WORKER_LEDGER_ENV } from "../runtime/lambda-env";
import { systemClock, type Clock } from "../runtime/ventilator/ports";
import { encodeStreamRecord, type StreamRecord } from "../runtime/ventilator/records";
import type { Log } from "../runtime/ventilator/telemetry";
import { chaosWorker } from "../runtime/workers/chaos/chaos";
import type { WorkerRequest, WorkerResponse } from "../runtime/workers/contract";
import { withLedgerGuard } from "../runtime/workers/ledger-guard";
import type { ObjectStore } from "../runtime/workers/http/ports";
import { fetchTimeoutMs } from "../runtime/workers/deadline";
import type { LocalEngines } from "./engines";
import type { MappingHandle, SandboxSpec } from "./lambda-emulator";
import type { Schedule } from "./lambda-emulator/schedule";
import { createStream } from "./engines/kinesis";

/** The deployed ventilator entry: its `handler` builds the ventilator from the function's environment. */
const VENTILATOR_ENTRY = path.join(__dirname, "..", "runtime", "ventilator", "lambda.ts");

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
  /** Longest pause before a batch that could call nothing is handed back (see runtime/ventilator/batch.ts). @default 10 s */
  handBackPauseMs?: number;
  /** MaximumRetryAttempts of the mapping. @default 10000 */
  maximumRetryAttempts?: number;
  /** The pipeline's clock: the wall clock, or the wall clock shifted by a constant (the functions' clocks follow). */
  clock?: Clock;
  random?: () => number;
  /** Where the ventilator's log/EMF lines go. @default kept in `logs` only */
  log?: Log;
  /** Test seam: sits between the worker and the simulated provider (e.g. to fail chosen records). */
  intercept?: (request: WorkerRequest, provider: (request: WorkerRequest) => Promise<WorkerResponse>) => Promise<WorkerResponse>;
  /** Test seam: variables set on top of the ventilator's environment (e.g. a DynamoDB endpoint that stalls a write). */
  environment?: Record<string, string>;
  /**
   * The provider's own worker (or the http worker), run in-process behind the ledger guard in place
   * of the chaos simulator, e.g. against its stub provider (local/stub). Its calls are recorded in `calls`.
   */
  worker?: (request: WorkerRequest) => Promise<WorkerResponse>;
  /** Where the worker's guard lands fetched bodies. @default none (the chaos worker lands nothing) */
  land?: ObjectStore;
  /**
   * A worker module run in its own execution environments instead of the in-process chaos
   * worker (whose calls `calls` records). Its environment gets the ledger guard's variables
   * and the engines' besides the spec's own.
   */
  workerSandbox?: SandboxSpec;
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
  const chaosProvider = chaosWorker(chaos, { random: opts.random ?? Math.random, sleep: realSleep, timeoutMs: fetchTimeoutMs(provider.worker.timeoutSeconds * 1000) });
  const intercept = opts.intercept;
  const simulated = opts.worker ?? chaosProvider;
  const provide = intercept ? (request: WorkerRequest) => intercept(request, simulated) : simulated;
  const served = async (request: WorkerRequest): Promise<WorkerResponse> => {
    const startedAt = clock.now();
    try {
      const response = await provide(request);
      calls.push({ recordId: request.recordId, startedAt, endedAt: clock.now(), outcome: response.ok ? "ok" : response.kind === "throttled" ? "throttled" : "error" });
      return response;
    } catch (err) {
      calls.push({ recordId: request.recordId, startedAt, endedAt: clock.now(), outcome: "error" });
      throw err;
    }
  };
  const workerSandbox = opts.workerSandbox;
  emulator.functions.register({
    name: names.worker,
    ...(workerSandbox
      ? {
          sandbox: {
            ...workerSandbox,
            env: { ...engines.environment, [WORKER_LEDGER_ENV.TABLE]: names.table, [WORKER_LEDGER_ENV.PROVIDER]: serializeProvider(provider), ...workerSandbox.env },
          },
        }
      : { handler: (event: WorkerRequest) => withLedgerGuard(served, { ledger: newLedger, clock, ...(opts.land ? { land: opts.land } : {}) })(event) }),
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
    ...(opts.handBackPauseMs !== undefined ? { [VENTILATOR_ENV.HAND_BACK_PAUSE_MS]: ms(opts.handBackPauseMs) } : {}),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...opts.environment,
  };
  emulator.functions.register({
    name: names.ventilator,
    sandbox: {
      module: VENTILATOR_ENTRY,
      env: environment,
      clockOffsetMs: Math.round(clock.now() - Date.now()),
      // The function's stdout is its CloudWatch log: one JSON line per batch and tick.
      onLog: (text) => {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { message: "stdout", text };
        }
        logs.push(line);
        opts.log?.(line);
      },
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
      await Promise.all([emulator.functions.release(names.ventilator), emulator.functions.release(names.worker)]);
    },
  };
}
