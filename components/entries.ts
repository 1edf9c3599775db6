/**
 * Which source file becomes which Lambda. Built-in workers come from the
 * workers' own registry; a provider's own worker module gets a generated entry
 * (worker-entry.ts), its path resolved from the catalog file's directory.
 */
import * as path from "node:path";
import type { Provider } from "../runtime/catalog/provider";
import { isBuiltInWorker, workerEntry } from "../runtime/workers/registry";
import { REPO_ROOT } from "./bundle";
import { customWorkerEntry } from "./worker-entry";

/** The ventilator's Lambda entry (exports `handler`), shared by every provider. */
export function ventilatorEntry(): string {
  return path.join(REPO_ROOT, "runtime", "ventilator", "lambda.ts");
}

/** The provider's worker Lambda entry, by its catalog `worker.module` (a path is relative to `catalogDir`). */
export function workerEntryFor(provider: Pick<Provider, "worker">, catalogDir: string = REPO_ROOT): string {
  const module = provider.worker.module;
  if (isBuiltInWorker(module)) return workerEntry(module);
  return customWorkerEntry(path.resolve(catalogDir, module), module);
}
