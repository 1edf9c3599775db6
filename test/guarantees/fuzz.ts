/**
 * `npm run fuzz -- --runs N [--seed S] [--path P] [--store memory|dynamodb] [--steps K]`:
 * a long fault search (see harness/search.ts). Prints `runs, violations` at
 * the end; on a violation, the shrunk sequence and the seed and path that
 * replay it, and exits 1.
 */
import { Command, InvalidArgumentError } from "commander";
import { startDynamoDbLocal } from "../../local/engines/dynamodb";
import { dynamoClient } from "../../runtime/aws/clients";
import { search, type StoreFactory } from "./harness/search";
import { dynamoStores, memoryStores } from "./stores";

function integer(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
    return n;
  };
}

async function main(): Promise<number> {
  const program = new Command("fuzz")
    .description("search for a fault sequence that breaks a guarantee of sluice")
    .option("--runs <n>", "generated runs", integer("--runs"), 1_000)
    .option("--seed <s>", "fast-check seed (default: from the clock; printed)", integer("--seed"))
    .option("--path <p>", "replay the failure fast-check reported (with its --seed)")
    .option("--store <kind>", "memory, or dynamodb (DynamoDB Local, started here)", "memory")
    .option("--steps <k>", "most steps per run", integer("--steps"), 30)
    .parse(process.argv);
  const opts = program.opts<{ runs: number; seed?: number; path?: string; store: string; steps: number }>();
  let stores: StoreFactory;
  let stop = async () => undefined as unknown;
  if (opts.store === "memory") stores = memoryStores();
  else if (opts.store === "dynamodb") {
    const engine = await startDynamoDbLocal();
    const client = dynamoClient({ endpoint: engine.endpoint });
    let n = 0;
    stores = dynamoStores(client, () => `fuzz-${process.pid}-${++n}`);
    stop = async () => {
      client.destroy();
      await engine.stop();
    };
  } else throw new InvalidArgumentError(`--store must be memory or dynamodb, got ${JSON.stringify(opts.store)}`);
  try {
    let last = Date.now();
    const report = await search({
      runs: opts.runs,
      stores,
      maxSteps: opts.steps,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.path !== undefined ? { path: opts.path } : {}),
      onRun: (done) => {
        if (Date.now() - last > 10_000) {
          last = Date.now();
          process.stderr.write(`  ${done} runs…\n`);
        }
      },
    });
    if (report.failure) process.stdout.write(report.failure + "\n");
    process.stdout.write(`store ${opts.store}, seed ${report.seed}, ${(report.ms / 1000).toFixed(1)} s\nruns: ${report.runs}, violations: ${report.violations}\n`);
    return report.violations === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
