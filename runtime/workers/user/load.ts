/**
 * A provider's own worker module as `sluice validate`, `sluice worker try`,
 * local mode and the Pulumi program load it: the file the catalog names
 * (relative to the catalog file), its exported worker, and its settings parsed
 * by the worker's schema. Every problem is one line naming the provider and
 * the field, like the catalog's own (runtime/catalog/validate.ts).
 *
 * The module is loaded with require: the CLI and the tests run under tsx, the
 * Pulumi program under Pulumi's TypeScript support, so a .ts module loads as is.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { Catalog, Provider } from "../../catalog/provider";
import type { CustomWorkerConfig } from "../../catalog/schema";
import { isBuiltInWorker } from "../registry";
import type { WorkerDefinition } from "./define";
import { exportedWorker, WorkerModuleError } from "./exported";
import { parseSettings } from "./settings";

export type CustomProvider = Provider & { worker: CustomWorkerConfig };

export function isCustomProvider(provider: Provider): provider is CustomProvider {
  return !isBuiltInWorker(provider.worker.module);
}

export type LoadedWorker = { ok: true; file: string; definition: WorkerDefinition<any>; settings: unknown } | { ok: false; problems: string[] };

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? text;
}

/** Absolute path of a provider's worker module; `catalogFile` is the catalog it was read from. */
export function workerModuleFile(provider: CustomProvider, catalogFile: string): string {
  return path.resolve(path.dirname(path.resolve(catalogFile)), provider.worker.module);
}

/** Loads the provider's worker; problems come without the provider prefix. */
export function loadCustomWorker(provider: CustomProvider, catalogFile: string): LoadedWorker {
  const module = provider.worker.module;
  const file = workerModuleFile(provider, catalogFile);
  if (!existsSync(file)) return { ok: false, problems: [`worker.module "${module}": no such file (${path.relative(process.cwd(), file) || file})`] };
  let exports: unknown;
  try {
    exports = require(file);
  } catch (err) {
    return { ok: false, problems: [`worker.module "${module}" could not be loaded: ${firstLine(err)}`] };
  }
  let definition: WorkerDefinition<any>;
  try {
    definition = exportedWorker(exports, module);
  } catch (err) {
    if (err instanceof WorkerModuleError) return { ok: false, problems: [err.message] };
    throw err;
  }
  const settings = parseSettings(definition, provider.worker.settings);
  if (!settings.ok) return { ok: false, problems: settings.problems };
  return { ok: true, file, definition, settings: settings.settings };
}

/** Every problem of every provider's own worker module in the catalog, one line each (empty: all fine). */
export function workerModuleProblems(catalog: Catalog, catalogFile: string, source: string = path.basename(catalogFile)): string[] {
  return catalog.providers.flatMap((provider, index) => {
    if (!isCustomProvider(provider)) return [];
    const loaded = loadCustomWorker(provider, catalogFile);
    return loaded.ok ? [] : loaded.problems.map((p) => `${source}: provider "${provider.id}" (#${index + 1}): ${p}`);
  });
}
