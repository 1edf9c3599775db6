/**
 * `sluice new provider ID`: a catalog entry, workers/ID.ts, its stub and a
 * test of the worker against the stub (files: new-provider-files.ts). Nothing
 * is overwritten: an id already in the catalog or a file already there is
 * refused, one line each, before anything is written.
 */
import type { Command } from "commander";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_CATALOG, loadCatalog, readCatalogText } from "../runtime/catalog/load";
import { providerSchema } from "../runtime/catalog/schema";
import { validateCatalog } from "../runtime/catalog/validate";
import { insertProvider } from "./catalog-insert";
import { CliInputError } from "./errors";
import { catalogEntry, stubSource, testSource, workerSource } from "./new-provider-files";
import { EXIT_OK } from "./output";

export interface NewProviderResult {
  written: string[];
}

export function newProvider(id: string, catalogPath: string = DEFAULT_CATALOG): NewProviderResult {
  const catalogFile = path.resolve(catalogPath);
  const root = path.dirname(catalogFile);
  const source = path.basename(catalogFile);
  const idCheck = providerSchema.shape.id.safeParse(id);
  if (!idCheck.success) throw new CliInputError([`provider id ${JSON.stringify(id)}: ${idCheck.error.issues[0]!.message}`]);
  const catalog = loadCatalog(catalogFile);
  const files: [string, string][] = [
    [path.join(root, "workers", `${id}.ts`), workerSource(id)],
    [path.join(root, "workers", `${id}.stub.ts`), stubSource(id)],
    [path.join(root, "test", "providers", `${id}.test.ts`), testSource(id)],
  ];
  const problems = [
    ...(catalog.providers.some((p) => p.id === id) ? [`${source}: provider "${id}" is already in the catalog`] : []),
    ...files.filter(([file]) => existsSync(file)).map(([file]) => `${path.relative(process.cwd(), file)} already exists: not overwritten`),
  ];
  if (problems.length > 0) throw new CliInputError(problems);

  const text = insertProvider(readCatalogText(catalogFile), catalogEntry(id), source);
  validateCatalog(JSON.parse(text), source); // the new entry must validate before anything is written
  for (const [file, content] of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  writeFileSync(catalogFile, text);
  return { written: [catalogFile, ...files.map(([file]) => file)].map((f) => path.relative(process.cwd(), f) || f) };
}

export function registerNew(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  const create = program.command("new").description("scaffold a new provider");
  create
    .command("provider <id>")
    .description("add a provider with its own worker: catalog entry, workers/<id>.ts, its stub and a test")
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .addHelpText(
      "after",
      `
Then: edit workers/<id>.ts and the entry's worker.settings, run
  npx sluice validate
  npx mocha test/providers/<id>.test.ts
  npx sluice worker try --provider <id> --record r-1 --stub
  npx sluice local --providers <id>
and set "enabled": true when it is ready to deploy. See docs/workers.md.`,
    )
    .action((id: string, opts: { catalog: string }) =>
      run(() => {
        const { written } = newProvider(id, opts.catalog);
        process.stdout.write(`${written.map((f) => `wrote ${f}`).join("\n")}\nnext: npx sluice validate && npx mocha test/providers/${id}.test.ts (docs/workers.md)\n`);
        return EXIT_OK;
      }),
    );
}
