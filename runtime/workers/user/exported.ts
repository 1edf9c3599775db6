/** The worker a module exports: `export default defineWorker(…)`, or `export const worker = defineWorker(…)`. */
import { SluiceError } from "../../errors";
import { isWorkerDefinition, type WorkerDefinition } from "./define";

export class WorkerModuleError extends SluiceError {}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Throws a one-line WorkerModuleError naming `module` when it exports no worker. */
export function exportedWorker(exports: unknown, module: string): WorkerDefinition<any> {
  const mod = (exports ?? {}) as Record<string, unknown>;
  // A CommonJS view of `export default` nests it once more under `default`.
  const candidate = mod.default !== undefined ? (isWorkerDefinition(mod.default) ? mod.default : ((mod.default as Record<string, unknown> | null)?.default ?? mod.default)) : mod.worker;
  if (candidate === undefined) {
    throw new WorkerModuleError(`worker.module "${module}" exports no worker: add \`export default defineWorker(...)\``);
  }
  if (!isWorkerDefinition(candidate)) {
    throw new WorkerModuleError(`worker.module "${module}": its ${mod.default !== undefined ? "default export" : "export `worker`"} is ${kindOf(candidate)}, not a worker: wrap it in defineWorker(...) from "sluice/worker"`);
  }
  return candidate;
}
