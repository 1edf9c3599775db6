/**
 * One provider's pipeline on the local engines, wired exactly as the Pulumi
 * component wires it on AWS: a stream, a ledger table, a worker and a
 * ventilator function, a Kinesis event source mapping with
 * ReportBatchItemFailures, and the re-arm schedule. The ventilator runs the
 * production handler with the production AWS SDK adapters pointed at the
 * engines, in its own execution environments (worker threads), so a timed-out
 * invocation is stopped as Lambda stops it (see ventilator-sandbox.ts). The
 * worker runs in-process, with the test seams of the simulated provider.
 * Used by the end-to-end tests and by `sluice local`.
 */
import { pipelineNames, type PipelineNames } from "../components/naming";
import * as path from "node:path";
import { realSleep } from "../runtime/aws/backoff";
import { putRecordsReliably } from "../runtime/aws/stream-writer";
import { serializeProvider, type Provider } from "../runtime/catalog/provider";
import type { ChaosSettings } from "../runtime/catalog/schema";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { createLedgerTable } from "../runtime/ledger/table";
import { systemClock, type Clock } from "../runtime/ventilator/ports";
import { encodeStreamRecord, type StreamRecord } from "../runtime/ventilator/records";
import type { Log } from "../runtime/ventilator/telemetry";
import { chaosWorker } from "../runtime/workers/chaos/chaos";
import type { WorkerRequest, WorkerResponse } from "../runtime/workers/contract";
import { withLedgerGuard } from "../runtime/workers/ledger-guard";
import { fetchTimeoutMs } from "../runtime/workers/http/http";
import type { LocalEngines } from "./engines";
import type { MappingHandle, SandboxSpec } from "./lambda-emulator";
import { WORKER_LEDGER_ENV } from "../runtime/lambda-env";
import type { Schedule } from "./lambda-emulator/schedule";
import { createStream } from "./engines/kinesis";
import type { VentilatorSandboxConfig } from "./ventilator-sandbox";

const VENTILATOR_SANDBOX = path.join(__dirname, "ventilator-sandbox.ts");

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
  /** Longest pause before a batch that could call nothing is handed back (see runtime/ventilator/batch.ts). @default 10 s */
  handBackPauseMs?: number;
  /** The pipeline's clock: the wall clock, or the wall clock shifted by a constant (its functions' clocks follow). */
  clock?: Clock;
  random?: () => number;
  /** Where the ventilator's log/EMF lines go. @default kept in `logs` only */
  log?: Log;
  /** Test seam: sits between the worker and the simulated provider (e.g. to fail chosen records). */
  intercept?: (request: WorkerRequest, provider: (request: WorkerRequest) => Promise<WorkerResponse>) => Promise<WorkerResponse>;
  /** Test seam: the DynamoDB endpoint the ventilator uses (e.g. a proxy that stalls a write). @default the engines' */
  ventilatorDynamoEndpoint?: string;
  /**
   * A worker module run in its own execution environments instead of the in-process chaos
   * worker (whose calls `calls` records). Its environment gets the ledger guard's variables
   * and the engines' endpoints besides the spec's own.
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
  const engineEnv = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_REGION: emulator.place.region, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const workerSandbox = opts.workerSandbox;
  emulator.functions.register({
    name: names.worker,
    ...(workerSandbox
      ? {
          sandbox: {
            ...workerSandbox,
            env: {
              ...engineEnv,
              AWS_ENDPOINT_URL_DYNAMODB: engines.dynamoEndpoint,
              [WORKER_LEDGER_ENV.TABLE]: names.table,
              [WORKER_LEDGER_ENV.PROVIDER]: serializeProvider(provider),
              ...workerSandbox.env,
            },
          },
        }
      : { handler: (event: WorkerRequest) => withLedgerGuard(served, { ledger: newLedger, clock })(event) }),
    timeoutMs: provider.worker.timeoutSeconds * 1000,
    reservedConcurrency: provider.maxConcurrency,
    memoryMb: provider.worker.memoryMb,
  });

  const logs: Record<string, unknown>[] = [];
  const config: VentilatorSandboxConfig = {
    provider: serializeProvider(provider),
    table: names.table,
    streamArn,
    ventilatorFunction: names.ventilator,
    workerFunction: names.worker,
    region: emulator.place.region,
    dynamoEndpoint: opts.ventilatorDynamoEndpoint ?? engines.dynamoEndpoint,
    lambdaEndpoint: emulator.endpoint,
    metricsNamespace: "Sluice",
    ...(opts.mappingUpdateIntervalMs !== undefined ? { mappingUpdateIntervalMs: opts.mappingUpdateIntervalMs } : {}),
    ...(opts.mappingViewMaxAgeMs !== undefined ? { mappingViewMaxAgeMs: opts.mappingViewMaxAgeMs } : {}),
    ...(opts.handBackPauseMs !== undefined ? { handBackPauseMs: opts.handBackPauseMs } : {}),
  };
  emulator.functions.register({
    name: names.ventilator,
    sandbox: {
      module: VENTILATOR_SANDBOX,
      export: "ventilatorHandler",
      factory: true,
      config,
      // Local engines take any credentials; none are looked up.
      env: engineEnv,
      clockOffsetMs: Math.round(clock.now() - Date.now()),
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
    reservedConcurrency: provider.concurrentBatches,
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
    maximumRecordAgeInSeconds: Math.min(604_800, provider.streamRetentionHours * 3600),
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
    },
  };
}
