/**
 * Catalog worker module name -> the Lambda entry file the infrastructure
 * bundles (esbuild) for that provider's worker function. Adding a worker
 * module = a folder here with a lambda.ts exporting `handler`, and a line below.
 */
import * as path from "node:path";
import type { WorkerConfig } from "../catalog/schema";

export type WorkerModule = WorkerConfig["module"];

const ENTRIES: Record<WorkerModule, string> = {
  chaos: path.join("chaos", "lambda.ts"),
  http: path.join("http", "lambda.ts"),
};

export const WORKER_MODULES = Object.keys(ENTRIES) as WorkerModule[];

/** Absolute path of the module's Lambda entry; its export is `handler`. */
export function workerEntry(module: WorkerModule): string {
  const entry = ENTRIES[module];
  if (!entry) throw new RangeError(`unknown worker module ${JSON.stringify(module)}; known: ${WORKER_MODULES.join(", ")}`);
  return path.join(__dirname, entry);
}
