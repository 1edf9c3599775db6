/**
 * Evaluates the Pulumi program under the SDK's mocks (no CLI, no cloud) for
 * the generated catalog of N providers (default 200,
 * test/fixtures/generated-catalog.ts) and reports wall time, peak memory,
 * resources registered and the Lambda bundle sizes. Not a test: a figure for
 * docs/infrastructure.md.
 *
 *   npm run bench:pulumi [-- providers]
 *
 * Where the time went before (CPU profile, `node --cpu-prof`): the SDK's
 * per-promise stack traces, formatted through tsx's source maps, and ~200 KiB
 * of bundle text per function copied through every serialization. The program
 * now archives bundles by path and registers without those traces
 * (components/bundle.ts, components/promise-stacks.ts); set
 * PULUMI_DEBUG_PROMISE_LEAKS=1 to measure with them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { Bundler, REPO_ROOT } from "../components/bundle";
import { sluiceStack } from "../components/program";
import { PROVIDER_PIPELINE_TYPE } from "../components/provider-pipeline";
import { loadCatalog } from "../runtime/catalog/load";
import { runUnderMocks } from "../test/components/support";
import { generatedCatalog, GENERATED_PROVIDERS } from "../test/fixtures/generated-catalog";

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? GENERATED_PROVIDERS);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`providers must be a whole number ≥ 1, got ${process.argv[2]}`);
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-bench-"));
  const file = path.join(dir, "providers.json");
  writeFileSync(file, JSON.stringify(generatedCatalog(count)));

  const bundler = new Bundler();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const run = await runUnderMocks(
    () => sluiceStack({ loadCatalog, archive: (entry) => bundler.archive(entry), cwd: REPO_ROOT }),
    { "sluice:catalog": file },
  );
  const wallMs = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  if (run.error) throw run.error;

  const byType = new Map<string, number>();
  for (const r of run.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const components = byType.get(PROVIDER_PIPELINE_TYPE) ?? 0;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

  console.log(`providers:             ${count}`);
  console.log(`wall time:             ${(wallMs / 1000).toFixed(1)} s (catalog, bundling, registering every resource under mocks)`);
  console.log(`peak memory (maxRSS):  ${mb(process.resourceUsage().maxRSS * 1024)} (${mb(rssBefore)} before the program)`);
  console.log(`resources registered:  ${run.resources.length} (${components} ProviderPipeline components + ${run.resources.length - components} AWS resources)`);
  console.log(`esbuild runs:          ${bundler.builds}`);
  for (const b of bundler.bundles()) {
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    const top = b.composition.slice(0, 3).map(([part, n]) => `${part} ${kib(n)}`).join(", ");
    console.log(`bundle ${b.entry}: ${kib(b.bytes)} (${kib(gzipSync(b.code).length)} gzipped; ${top})`);
  }
  console.log("by type:");
  for (const [type, n] of [...byType.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${type}`);
}

if (require.main === module) main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
