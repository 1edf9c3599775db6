/**
 * Which source file becomes which Lambda. The worker entries come from the
 * workers' own registry, so adding a worker module needs no change here.
 */
import * as path from "node:path";
import type { Provider } from "../runtime/catalog/provider";
import { workerEntry } from "../runtime/workers/registry";
import { REPO_ROOT } from "./bundle";

/** The ventilator's Lambda entry (exports `handler`), shared by every provider. */
export function ventilatorEntry(): string {
  return path.join(REPO_ROOT, "runtime", "ventilator", "lambda.ts");
}

/** The provider's worker Lambda entry, by its catalog `worker.module`. */
export function workerEntryFor(provider: Pick<Provider, "worker">): string {
  return workerEntry(provider.worker.module);
}
