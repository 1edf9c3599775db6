/**
 * `sluice worker try`: one record through a provider's worker on this
 * machine, against its stub or the real API; prints the outcome, the latency
 * and what it would land. `sluice worker sizes`: the bundle of every worker
 * the catalog deploys (the table in docs/workers.md).
 */
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { DEFAULT_CATALOG } from "../runtime/catalog/load";
import { DEFAULT_SECRETS_FILE } from "../runtime/workers/user/local-secrets";
import { tryWorker, type TryResult } from "../local/stub/try";
import { CliInputError } from "./errors";
import { EXIT_FAILURE, EXIT_OK } from "./output";
import { replaceSizesSection, SIZE_CATALOGS, sizesMarkdown, workerSizes, WORKERS_DOC } from "./worker-sizes";

interface TryCliOptions {
  provider: string;
  record: string;
  payload?: string;
  stub?: boolean;
  secrets?: string;
  catalog: string;
  json?: boolean;
}

const PREVIEW_CHARS = 600;

export function tryText(result: TryResult, against: string): string {
  const { response, landed } = result;
  const head = `${result.provider.id} ${JSON.stringify(result.request.recordId)} (day ${result.request.day}, ${against}): `;
  const lines = [
    head +
      (response.ok
        ? `ok in ${result.latencyMs} ms`
        : `${response.kind} in ${result.latencyMs} ms: ${response.reason}${response.kind === "throttled" && response.retryAfterMs !== undefined ? ` (retry after ${response.retryAfterMs} ms)` : ""}`),
  ];
  if (response.ok && response.metadata) lines.push(`  metadata: ${JSON.stringify(response.metadata)}`);
  if (landed) {
    lines.push(`  would land: ${landed.key} (${landed.contentType ?? "no content type"}, ${Buffer.byteLength(landed.body)} bytes)`);
    const preview = landed.body.length > PREVIEW_CHARS ? `${landed.body.slice(0, PREVIEW_CHARS)}…` : landed.body;
    lines.push(...preview.split("\n").map((l) => `    ${l}`));
  } else if (response.ok) lines.push("  lands nothing");
  for (const line of result.logs) {
    if ("_aws" in line) continue;
    const { level, message, provider: _p, recordId: _r, ...fields } = line;
    lines.push(`  log ${String(level)}: ${String(message)}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ""}`);
  }
  return lines.join("\n") + "\n";
}

export function registerWorker(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  const worker = program.command("worker").description("try a provider's worker locally; the size of each worker's bundle");
  worker
    .command("try")
    .description("run a provider's worker once on this machine and print the outcome, latency and what it would land")
    .requiredOption("-p, --provider <id>", "provider id in the catalog")
    .requiredOption("-r, --record <id>", "record id")
    .option("--payload <json>", "the record's payload, as JSON")
    .option("--stub", "against the provider's stub (workers/<id>.stub.ts) instead of its real API")
    .option("--secrets <file>", `local secrets for the real API, name → value (or set SLUICE_SECRET_<NAME>)`, DEFAULT_SECRETS_FILE)
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      `
Nothing is recorded in a ledger and nothing is written to S3: the worker runs
behind sluice's guard with a landing store that shows what it would land.
Against the real API, each secret the worker reads (ctx.secret(name)) comes
from SLUICE_SECRET_<NAME> or from the secrets file (by name or secret id).
Exit code 0 when the worker answered ok, 1 otherwise.`,
    )
    .action((opts: TryCliOptions) =>
      run(async () => {
        let payload: unknown;
        if (opts.payload !== undefined) {
          try {
            payload = JSON.parse(opts.payload);
          } catch (err) {
            throw new CliInputError([`--payload is not JSON: ${(err as Error).message}`]);
          }
        }
        const result = await tryWorker({
          provider: opts.provider,
          record: opts.record,
          ...(payload !== undefined ? { payload } : {}),
          stub: opts.stub === true,
          secretsFile: opts.secrets ?? DEFAULT_SECRETS_FILE,
          catalog: opts.catalog,
        });
        if (opts.json) process.stdout.write(JSON.stringify({ request: result.request, response: result.response, latencyMs: result.latencyMs, landed: result.landed ?? null }) + "\n");
        else process.stdout.write(tryText(result, opts.stub ? "against its stub" : "against the real API"));
        return result.response.ok ? EXIT_OK : EXIT_FAILURE;
      }),
    );

  worker
    .command("sizes")
    .description("bundle every worker the catalog deploys (as the Pulumi program does) and print its size")
    .option("-c, --catalog <files...>", "catalog files", SIZE_CATALOGS)
    .option("--markdown", "print the table docs/workers.md holds")
    .option("--write", `rewrite the table in ${WORKERS_DOC}`)
    .action((opts: { catalog: string[]; markdown?: boolean; write?: boolean }) =>
      run(() => {
        const sizes = workerSizes(opts.catalog);
        const table = sizesMarkdown(sizes);
        if (opts.write) {
          writeFileSync(WORKERS_DOC, replaceSizesSection(readFileSync(WORKERS_DOC, "utf8"), table));
          process.stdout.write(`${WORKERS_DOC}: bundle sizes of ${sizes.length} workers rewritten\n`);
        } else if (opts.markdown) process.stdout.write(table);
        else for (const s of sizes) process.stdout.write(`${s.worker.padEnd(32)} ${(s.bytes / 1024).toFixed(1).padStart(7)} KiB  ${s.providers.join(", ")}\n`);
        return EXIT_OK;
      }),
    );
}
