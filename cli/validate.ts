import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { budgetProblem, budgetSummary, catalogBudget } from "../components/account-budget";
import { CONFIG, readStackSettings, type StackSettings } from "../components/settings";
import { configSource, readStackConfig, stackConfigFile } from "../components/stack-config";
import { DEFAULT_CATALOG, loadCatalog } from "../runtime/catalog/load";
import { renderCatalogJsonSchema, SCHEMA_FILE } from "../runtime/catalog/json-schema";
import { CatalogError } from "../runtime/errors";
import { workerModuleProblems } from "../runtime/workers/user/load";
import { CliInputError } from "./errors";
import { EXIT_OK } from "./output";

interface ValidateOptions {
  catalog: string;
  stack?: string;
}

/** The stack's settings from Pulumi.<stack>.yaml in the working directory (the project directory). */
function stackSettings(stack: string): { file: string; settings: StackSettings } {
  const file = path.basename(stackConfigFile(stack));
  return { file, settings: readStackSettings(configSource(stack, readStackConfig(stackConfigFile(stack)))) };
}

export function registerValidate(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("validate")
    .description("check a provider catalog and its providers' worker modules; prints one line per problem and exits 1 if any")
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .option(
      "--stack <name>",
      `also check the stack's settings (Pulumi.<name>.yaml) and that the providers' reserved concurrency fits its sluice:${CONFIG.ACCOUNT_CONCURRENCY_LIMIT}; the catalog is then the stack's sluice:${CONFIG.CATALOG} unless --catalog is given`,
    )
    .action((opts: ValidateOptions, command: Command) =>
      run(() => {
        const stack = opts.stack !== undefined ? stackSettings(opts.stack) : undefined;
        const catalogPath = stack && command.getOptionValueSource("catalog") === "default" ? stack.settings.catalogPath : opts.catalog;
        const catalog = loadCatalog(catalogPath);
        for (const warning of catalog.warnings) process.stderr.write(`warning: ${warning}\n`);
        // Each provider's own worker module: there, exporting a worker, its settings passing the worker's schema.
        const moduleProblems = workerModuleProblems(catalog, catalogPath);
        if (moduleProblems.length > 0) throw new CatalogError(moduleProblems);
        const enabled = catalog.providers.filter((p) => p.enabled).length;
        let fits: string | undefined;
        if (stack) {
          const budget = catalogBudget(catalog.providers, stack.settings.accountConcurrencyLimit);
          const limitSource = `sluice:${CONFIG.ACCOUNT_CONCURRENCY_LIMIT} ${stack.settings.accountConcurrencyLimit}`;
          const problem = budgetProblem(budget, limitSource);
          if (problem) throw new CliInputError([`${stack.file}: ${problem}`]);
          fits = `stack "${opts.stack}" (${stack.file}): ${budgetSummary(budget, limitSource)}\n`;
        }
        process.stdout.write(`${catalogPath}: ${catalog.providers.length} providers valid (${enabled} enabled)\n${fits ?? ""}`);
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
