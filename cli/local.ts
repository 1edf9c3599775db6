/**
 * `sluice local`: every enabled provider's pipeline on local engines
 * (kinesis-mock, DynamoDB Local, the Lambda emulator), with a live view, a
 * summary and an HTML report. `npm start` runs it with the defaults.
 */
import type { Command } from "commander";
import { DEFAULT_CATALOG, loadCatalog } from "../runtime/catalog/load";
import { TARGET_BATCH_SECONDS } from "../runtime/controller";
import { BUILT_IN_SCENARIO, builtInScenario, DEFAULTS } from "../local/mode/defaults";
import { parseDuration } from "../local/mode/duration";
import { LocalOptionError } from "../local/mode/errors";
import { EXIT_INTERRUPTED, runLocal, type LocalRunIo, type LocalRunOptions } from "../local/mode/run";
import { loadLocalScenario } from "../local/mode/local-scenario";
import { LATENCY_FLOOR_MS } from "../local/mode/time-compression";

/** The options as commander hands them over (strings, or false for a negated flag). */
export interface LocalCliOptions {
  providers?: string;
  records?: string;
  scenario?: string | false;
  speed?: string;
  timeout?: string;
  report?: string | false;
  json?: boolean;
  catalog?: string;
  realClock?: boolean;
}

const HELP = `
Runs each enabled provider's pipeline on local engines: kinesis-mock, DynamoDB
Local (needs Java 17+) and sluice's Lambda emulator, with the production
ventilator, ledger and controller. Stops when every record is done or dead,
on --timeout, or on Ctrl-C (exit 130), then prints a summary and writes an
HTML report.

Simulated providers: a chaos provider runs on its worker.settings; an http
provider runs on the chaos worker with a profile derived from its thresholds.
A provider with its own worker module runs that worker against its stub
(workers/<id>.stub.ts), which injects the derived profile's latency, errors
and 429s (docs/workers.md).

Time: --speed X divides every interval (breaker waits, re-arm schedule,
mapping hysteresis and update delay) by X. Latencies (chaos profile, latency
threshold, worker timeout) are divided by X too, but never so far that the
threshold falls below ${LATENCY_FLOOR_MS} ms: the local engines themselves add
tens of ms to a call, up to a second on a busy machine. The adaptive
controller's batch length (about ${TARGET_BATCH_SECONDS} s of calls) is a constant of the
controller and is not compressed.

Windows: by default each provider's clock starts at the next moment it is open
for the whole --timeout within one provider day (London and Sydney night
windows would otherwise leave a daytime run idle); access and maintenance
windows still apply. --real-clock runs on the real time of day.

Emulation limits: a provider with parallelizationFactor P > 1 runs on
shards × P shards at factor 1 (the same batches in flight).

Scenario file: [{ "at": "30s", "provider": "demo", "set": { "errorPercentage": 100 } },
                { "at": "60s", "provider": "demo", "reset": true }]
"at" is wall time since the records started going in; "set" takes the catalog's chaos
settings; "reset" returns to the starting profile; no "provider" = every provider.
Default: the built-in scenario (${BUILT_IN_SCENARIO.description}).
See examples/outage.scenario.json and docs/local-mode.md.
`;

export function registerLocal(program: Command, run: (fn: () => Promise<number> | number) => void): void {
  program
    .command("local")
    .description("run every enabled provider's pipeline on local engines and watch it self-heal")
    .option("-p, --providers <ids>", "comma-separated provider ids (default: every enabled provider)")
    .option("-n, --records <n>", "records enqueued per provider", String(DEFAULTS.records))
    .option("-s, --scenario <file>", "scenario file changing the providers' profiles over time (default: built-in)")
    .option("--no-scenario", "run the catalog profiles unchanged")
    .option("--speed <x>", "time compression factor", String(DEFAULTS.speed))
    .option("--timeout <duration>", "stop after this long, reporting what was unfinished", DEFAULTS.timeout)
    .option("--report <file>", "HTML report to write", DEFAULTS.report)
    .option("--no-report", "write no HTML report")
    .option("--json", "print only the summary as one JSON object on stdout")
    .option("-c, --catalog <file>", "catalog file", DEFAULT_CATALOG)
    .option("--real-clock", "run on the real time of day instead of from each provider's next open window")
    .addHelpText("after", HELP)
    .action((opts: LocalCliOptions) => run(() => runLocalCommand(opts, { stdout: process.stdout, stderr: process.stderr }, { handleSignals: true })));
}

/** Turns the command line into run options; every mistake names its option. */
export function localRunOptions(cli: LocalCliOptions): LocalRunOptions {
  const catalog = loadCatalog(cli.catalog ?? DEFAULT_CATALOG);
  const providerIds = cli.providers
    ?.split(",")
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (providerIds && providerIds.length === 0) throw new LocalOptionError("--providers", cli.providers, "names no provider");
  const records = Number(cli.records ?? DEFAULTS.records);
  if (!Number.isInteger(records) || records < 1 || records > 100_000) throw new LocalOptionError("--records", cli.records, "must be a whole number from 1 to 100000");
  const speed = Number(cli.speed ?? DEFAULTS.speed);
  if (!Number.isFinite(speed) || speed < 1 || speed > 10_000) throw new LocalOptionError("--speed", cli.speed, "must be a number from 1 to 10000");
  const timeoutMs = parseDuration(cli.timeout ?? DEFAULTS.timeout);
  if (timeoutMs === null || timeoutMs < 1_000) throw new LocalOptionError("--timeout", cli.timeout, 'must be a duration of at least 1s, such as "90s" or "10m"');
  const known = catalog.providers.map((p) => p.id);
  const scenario = cli.scenario === false ? null : cli.scenario === undefined ? builtInScenario(known) : loadLocalScenario(cli.scenario, known);
  return {
    catalog,
    catalogFile: cli.catalog ?? DEFAULT_CATALOG,
    ...(providerIds ? { providerIds } : {}),
    records,
    scenario,
    speed,
    timeoutMs,
    realClock: cli.realClock === true,
    reportPath: cli.report === false ? null : (cli.report ?? DEFAULTS.report),
    json: cli.json === true,
  };
}

/**
 * The command's main function. With `handleSignals`, the first SIGINT/SIGTERM
 * stops the run cleanly (pollers, engines, every child process) and exits 130;
 * a second one exits at once (the engines' exit hooks still end their processes).
 */
export async function runLocalCommand(cli: LocalCliOptions, io: Omit<LocalRunIo, "signal">, opts: { handleSignals?: boolean; signal?: AbortSignal } = {}): Promise<number> {
  // The SDK's multi-line notice about its future Node.js support would sit in the middle of the live view.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const options = localRunOptions(cli);
  const stop = new AbortController();
  opts.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(EXIT_INTERRUPTED);
    if (!options.json) io.stderr.write("\nsluice local: stopping (Ctrl-C again to quit at once)…\n");
    stop.abort();
  };
  if (opts.handleSignals) for (const s of ["SIGINT", "SIGTERM"] as const) process.on(s, onSignal);
  try {
    const { exitCode } = await runLocal(options, { ...io, signal: stop.signal });
    return exitCode;
  } catch (err) {
    // Interrupted while an engine was starting: its launcher ends the engine on the signal, and the start fails.
    if (!stop.signal.aborted) throw err;
    io.stderr.write("sluice local: interrupted while starting the engines\n");
    return EXIT_INTERRUPTED;
  } finally {
    if (opts.handleSignals) for (const s of ["SIGINT", "SIGTERM"] as const) process.off(s, onSignal);
  }
}
