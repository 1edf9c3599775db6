/**
 * Built-in worker name -> the Lambda entry file the infrastructure bundles
 * (esbuild) for that provider's worker function. A provider's own worker
 * module gets a generated entry instead (components/worker-entry.ts).
 */
import * as path from "node:path";
import { BUILT_IN_WORKERS } from "../catalog/schema";

export type BuiltInWorker = (typeof BUILT_IN_WORKERS)[number];

const ENTRIES: Record<BuiltInWorker, string> = {
  chaos: path.join("chaos", "lambda.ts"),
  http: path.join("http", "lambda.ts"),
};

export const WORKER_MODULES: readonly BuiltInWorker[] = BUILT_IN_WORKERS;

export function isBuiltInWorker(module: string): module is BuiltInWorker {
  return (BUILT_IN_WORKERS as readonly string[]).includes(module);
}

/** Absolute path of the built-in worker's Lambda entry; its export is `handler`. */
export function workerEntry(module: BuiltInWorker): string {
  const entry = ENTRIES[module];
  if (!entry) throw new RangeError(`unknown worker module ${JSON.stringify(module)}; known: ${WORKER_MODULES.join(", ")}`);
  return path.join(__dirname, entry);
}
