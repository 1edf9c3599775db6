/**
 * `sluice local`, start to end: plan every provider, check Java, start the
 * engines, build one pipeline per provider, enqueue the records, play the
 * scenario, watch until every record is done or dead (or --timeout, or
 * Ctrl-C), then stop every poller and engine, print the summary and write the
 * report. Everything the run started is stopped before it returns, whatever
 * happened.
 */
import { writeFileSync } from "node:fs";
import type { Catalog } from "../../runtime/catalog/provider";
import { systemClock } from "../../runtime/ventilator/ports";
import { startLocalEngines, type LocalEngines } from "../engines";
import { startLocalPipeline } from "../pipeline";
import { formatElapsed } from "./duration";
import { notableEvent } from "./events";
import { checkJava } from "./java";
import { planProviders, type LocalProviderPlan } from "./plan";
import { ProviderRun, timedLog, type ProviderSnapshot, type Settlement, type TimedLine } from "./provider-run";
import { renderReport } from "./local-report";
import type { LocalScenario } from "./local-scenario";
import { playScenario } from "./local-scenario-player";
import { STOPPED_BY, summarizeProvider, summaryText, type LocalSummary, type StoppedBy } from "./summary";
import { compressedTimings } from "./time-compression";
import { PlainView, SilentView, TtyView, type Output, type View } from "./view";
import { warmUp } from "./warm-up";
import { offsetClock } from "./window-start";
import { startOwnWorker, withOwnWorker } from "./own-worker";
import type { StubServer } from "../stub/server";
import { DEFAULT_CATALOG } from "../../runtime/catalog/load";

export interface LocalRunOptions {
  catalog: Catalog;
  /** The file the catalog was read from: a provider's own worker module and stub are found from it. @default providers.json */
  catalogFile?: string;
  /** --providers; absent = every enabled provider. */
  providerIds?: readonly string[];
  /** Records enqueued per provider. */
  records: number;
  scenario: LocalScenario | null;
  speed: number;
  timeoutMs: number;
  /** Run every provider on the real clock instead of from its next open window. */
  realClock: boolean;
  /** Where the HTML report goes; null = none. */
  reportPath: string | null;
  /** Print only the summary JSON on stdout. */
  json: boolean;
  /** How often progress is read and the view redrawn. @default 500 */
  tickMs?: number;
}

export interface LocalRunIo {
  stdout: Output;
  stderr: Output;
  /** Aborting it stops the run as Ctrl-C does. */
  signal?: AbortSignal;
  /** @default "tty" when stdout is a TTY, else "plain"; always "none" with json */
  view?: "tty" | "plain" | "none";
  /** Called once the engines run, with their environment (tests read the pids they started). */
  onEngines?: (engines: LocalEngines) => void;
}

export interface LocalRunResult {
  summary: LocalSummary;
  exitCode: number;
  /** What each provider's run saw (lines, snapshots, scenario steps), for tests and tools. */
  runs: readonly ProviderRun[];
}

export const EXIT_INTERRUPTED = 130;
const PLAIN_VIEW_EVERY_MS = 5_000;

export async function runLocal(opts: LocalRunOptions, io: LocalRunIo): Promise<LocalRunResult> {
  const origin = Date.now();
  const catalogFile = opts.catalogFile ?? DEFAULT_CATALOG;
  const plans = planProviders(opts.catalog, { ids: opts.providerIds, speed: opts.speed, runMs: opts.timeoutMs, realClock: opts.realClock, now: origin }).map((p) =>
    withOwnWorker(p, catalogFile),
  );
  const say = (text: string) => (opts.json ? undefined : io.stdout.write(text));
  checkJava();

  const timings = compressedTimings(opts.speed);
  say(`sluice local: starting kinesis-mock, DynamoDB Local and the Lambda emulator for ${plans.map((p) => p.provider.id).join(", ")}…\n`);
  const engines = await startLocalEngines({ updateDelayMs: timings.updateDelayMs });
  let view: View = new SilentView();
  const stubs: StubServer[] = [];
  // Ctrl-C during start-up skips the remaining steps; the watch then ends at once.
  const interrupted = () => io.signal?.aborted === true;
  try {
    io.onEngines?.(engines);
    if (!interrupted()) await warmUp(engines);
    const runs: ProviderRun[] = [];
    // Wall second 0 is when the records start going in: the scenario's `at` and the report count from it.
    let t0 = Number.POSITIVE_INFINITY;
    const elapsed = () => Math.max(0, Date.now() - t0);
    for (const plan of plans) if (!interrupted()) runs.push(await startRun(stubs, engines, plan, timings, origin, elapsed));

    t0 = Date.now();
    if (!interrupted()) {
      say(introText(opts, plans, engines.environment));
      await Promise.all(runs.map((r) => r.enqueue(opts.records)));
    }

    view = chooseView(opts, io);
    const player = opts.scenario
      ? playScenario(opts.scenario, runs, elapsed(), (run, text) => {
          run.steps.push({ atMs: elapsed(), text });
          view.event(elapsed(), run.id, `scenario: ${text}`);
        })
      : null;
    const stoppedBy = await watch(runs, opts, io, view, elapsed);
    player?.stop();
    view.stop();
    view = new SilentView();

    await Promise.all(runs.map((r) => r.pipeline.stop()));
    const summary = await summarize(runs, stoppedBy, elapsed());
    if (opts.json) io.stdout.write(JSON.stringify(summary) + "\n");
    else io.stdout.write(summaryText(summary));
    if (opts.reportPath) {
      writeFileSync(opts.reportPath, renderReport({ summary, runs, speed: opts.speed, scenario: opts.scenario, startedAt: origin, t0 }));
      say(`report: ${opts.reportPath}\n`);
    }
    return { summary, runs, exitCode: stoppedBy === STOPPED_BY.DONE ? 0 : stoppedBy === STOPPED_BY.SIGNAL ? EXIT_INTERRUPTED : 1 };
  } finally {
    view.stop();
    await Promise.all(stubs.map((s) => s.close()));
    await engines.stop();
  }
}

async function startRun(
  stubs: StubServer[],
  engines: LocalEngines,
  plan: LocalProviderPlan,
  timings: ReturnType<typeof compressedTimings>,
  origin: number,
  elapsed: () => number,
): Promise<ProviderRun> {
  const clock = plan.clockStart === null ? systemClock : offsetClock(plan.clockStart, origin);
  const lines: TimedLine[] = [];
  // One profile object: the scenario changes it, the chaos worker or the stub reads it at every call.
  const chaos = { ...plan.chaos };
  const own = await startOwnWorker(plan, chaos);
  if (own) stubs.push(own.server);
  const pipeline = await startLocalPipeline(engines, {
    provider: plan.provider,
    chaos,
    ...(own ? { worker: own.worker, land: own.land } : {}),
    clock,
    rearmIntervalMs: timings.rearmIntervalMs,
    pollIntervalMs: timings.pollIntervalMs,
    mappingUpdateIntervalMs: timings.mappingUpdateIntervalMs,
    handBackPauseMs: timings.handBackPauseMs,
    log: timedLog(lines, elapsed),
  });
  return new ProviderRun(plan, pipeline, clock, engines, elapsed, lines);
}

function chooseView(opts: LocalRunOptions, io: LocalRunIo): View {
  const kind = opts.json ? "none" : (io.view ?? (io.stdout.isTTY ? "tty" : "plain"));
  if (kind === "tty") return new TtyView(io.stdout as NodeJS.WritableStream, `speed ×${opts.speed} · ${opts.records} records per provider · Ctrl-C stops`);
  if (kind === "plain") return new PlainView(io.stdout, PLAIN_VIEW_EVERY_MS);
  return new SilentView();
}

function introText(opts: LocalRunOptions, plans: readonly LocalProviderPlan[], environment: Record<string, string>): string {
  const lines = [
    `engines up; point \`sluice status/enqueue/pause\` or the AWS CLI at them with:`,
    ...Object.entries(environment).map(([k, v]) => `  export ${k}=${v}`),
    `time compressed ×${opts.speed}; scenario: ${opts.scenario ? `${opts.scenario.source}${opts.scenario.description ? ` (${opts.scenario.description})` : ""}` : "none"}`,
    ...skippedSteps(opts.scenario, plans).map((id) => `  scenario steps for ${id} skipped: not in this run`),
    ...plans.flatMap((p) => p.notes.map((n) => `  ${p.provider.id}: ${n}`)),
    `enqueueing ${opts.records} records per provider…`,
  ];
  return lines.join("\n") + "\n";
}

function skippedSteps(scenario: LocalScenario | null, plans: readonly LocalProviderPlan[]): string[] {
  const running = new Set(plans.map((p) => p.provider.id));
  return [...new Set((scenario?.steps ?? []).map((s) => s.provider).filter((id): id is string => id !== undefined && !running.has(id)))];
}

/** Reads progress every tick until every record settles, the timeout passes, or the signal aborts. */
async function watch(runs: readonly ProviderRun[], opts: LocalRunOptions, io: LocalRunIo, view: View, elapsed: () => number): Promise<StoppedBy> {
  const tickMs = opts.tickMs ?? 500;
  const seen = new Map(runs.map((r) => [r, 0]));
  const latest = new Map<ProviderRun, ProviderSnapshot>();
  for (;;) {
    if (io.signal?.aborted) return STOPPED_BY.SIGNAL;
    await Promise.all(
      runs.map(async (run) => {
        try {
          const snap = await run.snapshot();
          latest.set(run, snap);
          if (run.finishedAtMs === null && run.maySettle(snap) && (await run.settlement()).open === 0) {
            run.finishedAtMs = elapsed();
            view.event(elapsed(), run.id, `every record done or dead after ${formatElapsed(run.finishedAtMs)}`);
          }
        } catch (err) {
          // One unreadable tick (an engine busy) only delays the view; the next tick reads again.
          if (io.signal?.aborted) return;
          view.event(elapsed(), run.id, `could not read progress: ${(err as Error).message}`);
        }
      }),
    );
    for (const run of runs) {
      const lines = run.lines;
      for (let i = seen.get(run)!; i < lines.length; i++) {
        const e = notableEvent(lines[i]!);
        if (e) view.event(e.atMs, run.id, e.text);
      }
      seen.set(run, lines.length);
    }
    view.update(
      elapsed(),
      runs.filter((r) => latest.has(r)).map((r) => ({ id: r.id, snapshot: latest.get(r)!, finished: r.finishedAtMs !== null })),
    );
    if (runs.every((r) => r.finishedAtMs !== null)) return STOPPED_BY.DONE;
    if (elapsed() >= opts.timeoutMs) return STOPPED_BY.TIMEOUT;
    await pause(tickMs, io.signal);
  }
}

async function summarize(runs: readonly ProviderRun[], stoppedBy: StoppedBy, wallMs: number): Promise<LocalSummary> {
  const providers = await Promise.all(
    runs.map(async (run) => {
      const settlement = await finalSettlement(run, stoppedBy);
      return summarizeProvider({
        id: run.id,
        enqueued: run.recordIds.length,
        settlement,
        calls: run.pipeline.calls,
        batches: run.pipeline.mapping.poller.batches,
        lines: run.lines,
      });
    }),
  );
  return { providers, stoppedBy, wallSeconds: Math.round(wallMs / 100) / 10 };
}

/** Record by record; after Ctrl-C DynamoDB Local may already be gone, so the last counters stand in. */
async function finalSettlement(run: ProviderRun, stoppedBy: StoppedBy): Promise<Pick<Settlement, "done" | "dead">> {
  const last = run.snapshots.at(-1);
  const fallback = { done: last?.done ?? 0, dead: last?.dead ?? 0 };
  if (stoppedBy === STOPPED_BY.SIGNAL) return fallback;
  try {
    return await run.settlement();
  } catch {
    return fallback;
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
