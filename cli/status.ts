/**
 * `sluice status`: what each provider's pipeline is doing, read from where it
 * lives — the event source mapping (production adapter: one Get, or one List
 * the first time), the ledger's pipeline state (controller, breaker, pause),
 * today's counters and operator audit, and the catalog's windows. Providers
 * are read a few at a time: the Lambda control plane allows 15 calls/s per
 * account and Region, shared with every ventilator. A provider that is not
 * deployed, or cannot be read, is shown as such; the others are still shown.
 */
import { Option, type Command } from "commander";
import { describeError } from "../runtime/aws/sdk-errors";
import type { Provider } from "../runtime/catalog/provider";
import { SluiceError } from "../runtime/errors";
import { providerDay } from "../runtime/windows/clock";
import { CliInputError, NotDeployedError } from "./errors";
import { EXIT_FAILURE, EXIT_OK } from "./output";
import { AwsClients, PipelineAccess } from "./pipeline-access";
import { startProgress } from "./progress";
import { describeSource, locate, type ResourceSource } from "./resources";
import { renderStatus } from "./status-table";
import { buildStatus, type ProviderReading, type Read, type StatusReport } from "./status-view";
import { addTargetOptions, requireProvider, resolveTarget, TARGET_HELP, type TargetOptions } from "./target";

interface StatusOptions extends TargetOptions {
  provider?: string;
  json?: boolean;
  scan?: boolean;
  details?: boolean;
  actions: string;
  progress: boolean;
}

/** Providers read at once: 4 × (Get or List) stays well inside the shared 15 calls/s. */
const CONCURRENCY = 4;

export function registerStatus(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  const cmd = program
    .command("status")
    .description("show what each provider's pipeline is doing: mapping, controller, breaker, pause, window, today's progress")
    .option("-p, --provider <id>", "one provider (default: every provider of the catalog)")
    .option("--json", "print JSON for scripts instead of the table")
    .option("--scan", "also count today's in-flight, stalled and ad-hoc records by scanning each ledger table (reads every item: slow on large tables)")
    .option("--details", "print a detail block per provider (default with --provider)")
    .option("--actions <n>", "recent operator actions to show per provider", "5")
    .addOption(new Option("--no-progress", "no progress bar (shown on a terminal when reading more than 4 providers)"));
  addTargetOptions(cmd).addHelpText(
    "after",
    `
Table columns: MAPPING is the event source mapping's state, MAP BATCH its mapping batch size
(records per invocation), FAN-OUT the controller's fan-out limit (calls one batch may have in
flight); BREAKER, PAUSE and WINDOW show the next change relative to now (the
detail block gives it in the provider's time zone and UTC). DONE / FAILED / DEAD are today's
counters (the provider's day, in its time zone; FAILED counts failed attempts), DAILY LIMIT the
calls reserved against dailyRequestLimit. IN-FLIGHT and the ad-hoc / scheduled split need --scan.

A provider whose resources do not exist is shown as "not deployed" (or "partly deployed") with
the missing resources listed. Exit status: 0 when every provider could be read (deployed or not);
1 when a read failed for another reason (unreachable endpoint, access denied), or on bad options.
${TARGET_HELP}

Examples:
  sluice status
  sluice status -p meridian-funds --scan
  sluice status --json | jq '.providers[] | select(.breaker.status != "closed") | .id'`,
  );
  cmd.action((opts: StatusOptions) => run(() => status(cmd, opts)));
}

async function status(cmd: Command, opts: StatusOptions): Promise<number> {
  const actions = Number(opts.actions);
  if (!Number.isInteger(actions) || actions < 0 || actions > 100) throw new CliInputError([`--actions ${JSON.stringify(opts.actions)} must be an integer from 0 to 100`]);
  const target = await resolveTarget(cmd, opts);
  const providers = opts.provider ? [requireProvider(target.catalog, opts.provider, opts.catalog)] : target.catalog.providers;
  const now = Date.now();
  const clients = new AwsClients();
  let readings: ProviderReading[];
  const progress = startProgress({ unit: "providers", label: "status", total: providers.length, minTotal: CONCURRENCY + 1, enabled: opts.progress && !opts.json });
  try {
    let done = 0;
    readings = await mapPool(providers, CONCURRENCY, async (p) => {
      const reading = await readProvider(p, target.source, clients, now, { scan: opts.scan === true, actions });
      progress.update(++done);
      return reading;
    });
  } finally {
    progress.stop();
    clients.destroy();
  }
  const report: StatusReport = { generatedAt: new Date(now).toISOString(), source: describeSource(target.source), providers: readings.map((r) => buildStatus(r, now)) };
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(renderStatus(report, now, { details: opts.details ?? opts.provider !== undefined, scanned: opts.scan === true }));
  return report.providers.some((p) => p.errors.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

async function read<T>(call: () => Promise<T>): Promise<Read<T>> {
  try {
    return { value: await call() };
  } catch (err) {
    if (err instanceof NotDeployedError) return { missing: err.missing };
    if (err instanceof SluiceError) return { error: err.message };
    return { error: `unexpected error: ${describeError(err)}` };
  }
}

async function readProvider(provider: Provider, source: ResourceSource, clients: AwsClients, now: number, opts: { scan: boolean; actions: number }): Promise<ProviderReading> {
  const where = describeSource(source);
  const resources = locate(source, provider.id);
  if (!resources) {
    const missing: Read<never> = { missing: [`providers.${provider.id}`] };
    return { provider, resources: null, mapping: missing, pipeline: missing, today: missing, actions: missing, census: opts.scan ? missing : null };
  }
  const access = new PipelineAccess(provider, resources, where, clients);
  const day = providerDay(provider.timezone, now);
  const [mapping, pipeline, today, actions, census] = await Promise.all([
    read(() => access.mappingCall("GetEventSourceMapping", (m) => m.get())),
    read(() => access.ledgerCall("reading the pipeline state", (l) => l.loadPipeline())),
    read(() => access.ledgerCall("reading today's counters", (l) => l.dayStats(day))),
    opts.actions > 0 ? read(() => access.ledgerCall("reading the operator audit", (l) => l.listOperatorActions(opts.actions))) : Promise.resolve({ value: [] }),
    opts.scan ? read(() => access.census(day, now)) : Promise.resolve(null),
  ]);
  return { provider, resources, mapping, pipeline, today, actions, census };
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the input order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
