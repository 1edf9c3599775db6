/**
 * The size of each worker bundle the catalog deploys, bundled exactly as the
 * Pulumi program bundles it (components/bundle.ts, components/entries.ts):
 * the table between the markers in docs/workers.md, rewritten by
 * `sluice worker sizes --write` and checked by test/cli/worker-sizes.test.ts.
 */
import * as path from "node:path";
import type * as Bundle from "../components/bundle";
import type * as Entries from "../components/entries";
import { loadCatalog } from "../runtime/catalog/load";
import { ProblemsError } from "../runtime/errors";
import { workerModuleProblems } from "../runtime/workers/user/load";
import { isBuiltInWorker } from "../runtime/workers/registry";

// Loaded on use: components/bundle pulls in @pulumi/pulumi, which every sluice command would otherwise pay for at start-up.
const lazy = {
  bundle: () => require("../components/bundle") as typeof Bundle,
  entries: () => require("../components/entries") as typeof Entries,
};

export const WORKERS_DOC = "docs/workers.md";
const OPEN = "<!-- sluice worker sizes -->";
const CLOSE = "<!-- /sluice worker sizes -->";
const PARTS_SHOWN = 3;

export interface WorkerSize {
  /** "http", "chaos" or the module path. */
  worker: string;
  providers: string[];
  bytes: number;
  composition: [string, number][];
}

/** The catalogs the docs' table covers: the shipped one and the examples'. */
export const SIZE_CATALOGS = ["providers.json", "examples/providers.json"];

export function workerSizes(catalogPaths: readonly string[] = SIZE_CATALOGS): WorkerSize[] {
  const byWorker = new Map<string, WorkerSize>();
  for (const catalogPath of catalogPaths) {
    const file = path.resolve(catalogPath);
    const catalog = loadCatalog(file);
    const problems = workerModuleProblems(catalog, file);
    if (problems.length > 0) throw new ProblemsError(problems);
    for (const provider of catalog.providers) {
      const entry = lazy.entries().workerEntryFor(provider, path.dirname(file));
      // A module is named by its path from the working directory: the same path from two catalogs is one worker.
      const key = isBuiltInWorker(provider.worker.module) ? provider.worker.module : path.relative(process.cwd(), path.resolve(path.dirname(file), provider.worker.module)).split(path.sep).join("/");
      const known = byWorker.get(key);
      if (known) {
        known.providers.push(provider.id);
        continue;
      }
      const bundle = lazy.bundle().bundleEntry(entry);
      byWorker.set(key, { worker: key, providers: [provider.id], bytes: bundle.bytes, composition: bundle.composition });
    }
  }
  return [...byWorker.values()].sort((a, b) => a.worker.localeCompare(b.worker));
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function sizesMarkdown(sizes: readonly WorkerSize[]): string {
  const rows = sizes.map((s) => {
    const parts = s.composition.slice(0, PARTS_SHOWN).map(([name, bytes]) => `${name} ${kib(bytes)}`);
    return `| \`${s.worker}\` | ${s.providers.join(", ")} | ${kib(s.bytes)} | ${parts.join(", ")} |`;
  });
  return ["| worker | providers | bundle (minified, AWS SDK external) | largest parts |", "|---|---|---:|---|", ...rows, ""].join("\n");
}

export function sizesSection(text: string, source = WORKERS_DOC): string {
  const start = text.indexOf(OPEN);
  const end = text.indexOf(CLOSE);
  if (start < 0 || end < start) throw new ProblemsError([`${source} has no "${OPEN}" … "${CLOSE}" section`]);
  return text.slice(start + OPEN.length, end).trim() + "\n";
}

export function replaceSizesSection(text: string, table: string, source = WORKERS_DOC): string {
  sizesSection(text, source);
  const start = text.indexOf(OPEN) + OPEN.length;
  return text.slice(0, start) + "\n" + table.trimEnd() + "\n" + text.slice(text.indexOf(CLOSE));
}
