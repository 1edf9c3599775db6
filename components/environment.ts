/**
 * The Lambda environments of a pipeline, as pure functions of plain strings.
 * Variable names come from runtime/lambda-env.ts, which the entry points read,
 * so infrastructure and runtime cannot disagree. The provider's catalog entry
 * travels as `serializeProvider` JSON and is re-validated at cold start: every
 * provider shares the same code bundle.
 */
import { serializeProvider, type Provider } from "../runtime/catalog/provider";
import { HTTP_WORKER_ENV, VENTILATOR_ENV, WORKER_LEDGER_ENV } from "../runtime/lambda-env";
import { chaosEnvironment } from "../runtime/workers/chaos/lambda";

/** AWS caps a function's environment at 4 KB (names and values together). */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4_096;

export interface VentilatorRefs {
  tableName: string;
  streamArn: string;
  workerFunctionName: string;
  metricsNamespace: string;
}

/**
 * No mapping UUID: the ventilator finds its mapping with ListEventSourceMappings
 * (its own name + the stream ARN); passing the UUID would make the function
 * depend on the mapping that depends on the function.
 */
export function ventilatorEnvironment(provider: Provider, refs: VentilatorRefs): Record<string, string> {
  return {
    [VENTILATOR_ENV.PROVIDER]: serializeProvider(provider),
    [VENTILATOR_ENV.TABLE]: refs.tableName,
    [VENTILATOR_ENV.STREAM_ARN]: refs.streamArn,
    [VENTILATOR_ENV.WORKER_FUNCTION]: refs.workerFunctionName,
    [VENTILATOR_ENV.METRICS_NAMESPACE]: refs.metricsNamespace,
  };
}

/**
 * Every worker gets its catalog entry and the ledger table, so its ledger guard
 * marks a fetched record done itself (a ventilator dying after the call cannot
 * cause a second fetch). chaos adds the demo's variables from worker.settings;
 * http and a provider's own worker add where bodies land.
 */
export function workerEnvironment(provider: Provider, refs: { tableName: string; bucket?: string }): Record<string, string> {
  const ledger = { [WORKER_LEDGER_ENV.PROVIDER]: serializeProvider(provider), [WORKER_LEDGER_ENV.TABLE]: refs.tableName };
  const worker = provider.worker;
  switch (worker.module) {
    case "chaos":
      return { ...ledger, ...chaosEnvironment(worker.settings) };
    default: {
      // http and a provider's own worker: the contract workers' entry reads the same variables.
      const bucket = (worker.module === "http" ? worker.settings.bucket : undefined) ?? refs.bucket;
      return {
        ...ledger,
        [HTTP_WORKER_ENV.PROVIDER]: serializeProvider(provider),
        ...(bucket !== undefined ? { [HTTP_WORKER_ENV.BUCKET]: bucket } : {}),
      };
    }
  }
}

/** Size AWS counts against the 4 KB limit. */
export function environmentBytes(env: Record<string, string>): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
