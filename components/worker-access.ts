/**
 * What a provider's worker may reach, from its catalog entry: the secrets it
 * reads and the bucket (and key) it lands in. The http worker and a provider's
 * own worker bind the same way (runtime/workers/user/settings.ts); the chaos
 * simulator reaches nothing.
 */
import type { Provider } from "../runtime/catalog/provider";
import { isContractWorker, workerBinding } from "../runtime/workers/user/settings";

export interface WorkerAccess<B> {
  /** Secrets Manager ids (or ARNs) the worker reads. */
  secretIds: string[];
  /** Where it lands: its own bucket, else the stack's; undefined for the chaos worker. */
  bucket?: B | string;
  /** The landing bucket's customer-managed key, if it has one. */
  kmsKeyArn?: string;
}

export function workerAccess<B>(provider: Pick<Provider, "worker">, stackBucket?: B, stackKmsKeyArn?: string): WorkerAccess<B> {
  const worker = provider.worker;
  if (!isContractWorker(worker)) return { secretIds: [] };
  const binding = workerBinding(worker);
  const secretIds = [...new Set(Object.values(binding.secretIds))].sort();
  const kmsKeyArn = binding.bucket !== undefined ? (worker.module === "http" ? worker.settings.kmsKeyArn : undefined) : stackKmsKeyArn;
  const bucket = binding.bucket ?? stackBucket;
  return { secretIds, ...(bucket !== undefined ? { bucket } : {}), ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}) };
}

/** Whether the worker lands in the stack's landing bucket (it names none of its own). */
export function usesStackBucket(provider: Pick<Provider, "worker">): boolean {
  return isContractWorker(provider.worker) && workerBinding(provider.worker).bucket === undefined;
}
