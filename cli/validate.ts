import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { DEFAULT_CATALOG, loadCatalog } from "../runtime/catalog/load";
import { renderCatalogJsonSchema, SCHEMA_FILE } from "../runtime/catalog/json-schema";
import { EXIT_OK } from "./output";

export function registerValidate(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("validate")
    .description("check a provider catalog; prints one line per problem and exits 1 if any")
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .action((opts: { catalog: string }) =>
      run(() => {
        const catalog = loadCatalog(opts.catalog);
        for (const warning of catalog.warnings) process.stderr.write(`warning: ${warning}\n`);
        const enabled = catalog.providers.filter((p) => p.enabled).length;
        process.stdout.write(`${opts.catalog}: ${catalog.providers.length} providers valid (${enabled} enabled)\n`);
        return EXIT_OK;
      }),
    );

  program
    .command("schema")
    .description(`write the catalog's JSON Schema (default ${SCHEMA_FILE}) for editors`)
    .option("-o, --out <file>", "output file, - for stdout", SCHEMA_FILE)
    .action((opts: { out: string }) =>
      run(() => {
        const text = renderCatalogJsonSchema();
        if (opts.out === "-") process.stdout.write(text);
        else writeFileSync(opts.out, text);
        return EXIT_OK;
      }),
    );
}
