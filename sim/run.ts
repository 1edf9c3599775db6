/**
 * One simulated run: a scenario's provider and backlog, one controller, one
 * seed. The ventilator's real batch lifecycle (processBatch) and re-arm tick
 * (onSchedule) run against in-memory ports: the real Ledger over a
 * MemoryLedgerStore, the simulated mapping (control plane + pollers), the
 * simulated worker, a virtual clock and a Lambda context whose remaining time
 * is read off the virtual clock. Same seed, same run.
 */
import { mappingSettings } from "../components/mapping";
import { ventilatorTimeoutSeconds } from "../components/sizing";
import type { Provider } from "../runtime/catalog/provider";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../runtime/ledger/memory-store";
import { processBatch, type VentilatorDeps } from "../runtime/ventilator/batch";
import { providerDayEnd } from "../runtime/windows/clock";
import { onSchedule } from "../runtime/ventilator/schedule";
import { EventLoop, type RunEnd } from "./event-loop";
import { SimWorkerInvoker } from "./invoker";
import { SimControlPlane, SimMappingControl, type EffectiveChange } from "./mapping-control";
import { SimEventSourceMapping, type MappingStats } from "./mapping-model";
import { computeMetrics, type Metrics } from "./metrics";
import { Oracle } from "./oracle";
import { rises } from "./time-profile";
import { ProviderModel, type ProviderModelSpec } from "./provider-model";
import { Recorder } from "./recorder";
import { stream as rngStream, uniform } from "./rng";
import { outagesOf, providerFor, startOf, totalRecords, type ControllerName, type Scenario } from "./simulation-scenario";
import { SimStream } from "./stream";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const DEFAULT_SEED = 1;
const METRICS_NAMESPACE = "SluiceSim";

export interface RunOptions {
  scenario: Scenario;
  controller: ControllerName;
  seed?: number;
}

export interface RunResult {
  scenario: Scenario;
  controller: ControllerName;
  seed: number;
  provider: Provider;
  start: number;
  end: number;
  endReason: RunEnd;
  metrics: Metrics;
  recorder: Recorder;
  oracle: Oracle;
  model: ProviderModel;
  mappingHistory: readonly EffectiveChange[];
  mappingRequests: { accepted: number; refused: number };
  mappingStats: MappingStats;
  /** Events the loop fired, for the curious (not part of any result). */
  events: number;
}

export function modelSpec(scenario: Scenario): ProviderModelSpec {
  return {
    capacity: scenario.model.capacity,
    latency: scenario.model.latency,
    errorShare: scenario.model.errorShare,
    throttleShare: scenario.model.throttleShare,
    overload: scenario.model.overload,
    outages: outagesOf(scenario),
    enforceDailyLimit: scenario.model.enforceDailyLimit,
  };
}

/** The oracle over the scenario's whole horizon (the same for every controller). */
export function oracleFor(scenario: Scenario, provider: Provider): Oracle {
  const start = startOf(scenario);
  return new Oracle(modelSpec(scenario), provider, start, start + scenario.horizonHours * HOUR_MS);
}

/** Instants after which the provider is healthy again (for the oracle's own run: with its budget back). */
export function healsOf(scenario: Scenario, oracle: Oracle, withBudget = true): number[] {
  const start = startOf(scenario);
  return [
    ...outagesOf(scenario).map((o) => start + o.toMinute * MINUTE_MS),
    ...rises(scenario.model.capacity).map((m) => start + m * MINUTE_MS),
    ...oracle.windowOpenings,
    ...(withBudget ? oracle.budgetResets : []),
  ];
}

/** Spans the pipeline sat paused on its spent daily budget, each ending at the latest with its provider day. */
export function budgetSpentSpans(points: Recorder["controller"], timezone: string, end: number): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  let since: number | null = null;
  const close = (at: number) => {
    const dayEnds = providerDayEnd(timezone, since!);
    spans.push({ from: since!, to: Math.min(at, dayEnds) });
    since = null;
  };
  for (const p of points) {
    if (p.paused === "daily-limit" && since === null) since = p.at;
    else if (p.paused !== "daily-limit" && since !== null) close(p.at);
  }
  if (since !== null) close(end);
  return spans;
}

/** A warm Lambda execution environment: its mapping adapter (and cache) and its Ledger live across invocations. */
interface Container {
  mapping: SimMappingControl;
  ledger: Ledger;
}

/** Lambda reuses an idle container, or starts one when every container is busy. */
class Containers {
  private readonly idle: Container[] = [];
  constructor(private readonly make: () => Container) {}
  acquire(): Container {
    return this.idle.pop() ?? this.make();
  }
  release(c: Container): void {
    this.idle.push(c);
  }
}

export async function runScenario(opts: RunOptions, shared?: { oracle: Oracle }): Promise<RunResult> {
  const { scenario, controller } = opts;
  const seed = opts.seed ?? DEFAULT_SEED;
  const provider = providerFor(scenario, controller);
  const start = startOf(scenario);
  const horizon = start + scenario.horizonHours * HOUR_MS;
  const loop = new EventLoop(start);
  const clock = { now: () => loop.now };
  const spec = modelSpec(scenario);
  const model = new ProviderModel(spec, provider, start, rngStream(seed, "provider"));
  const recorder = new Recorder(start, clock.now);
  const ledgerLatencyMs = scenario.ledger.latencyMs;
  const store = new MemoryLedgerStore({ onWrite: recorder.onWrite, ...(ledgerLatencyMs > 0 ? { delay: () => loop.sleep(ledgerLatencyMs) } : {}) });
  const invoker = new SimWorkerInvoker(loop, model, recorder, scenario.mapping.invokeOverheadMs);

  const settings = mappingSettings(provider);
  const delays = rngStream(seed, "mapping-delay");
  const { min, max } = scenario.mapping.updateDelaySeconds;
  const plane = new SimControlPlane(loop, { batchSize: settings.batchSize, enabled: settings.enabled }, () => uniform(delays, min, max) * 1000);
  const jitter = rngStream(seed, "backoff");
  const ledger = ledgerSettings(provider);
  const containers = new Containers(() => ({ mapping: new SimMappingControl(plane, loop, jitter), ledger: new Ledger(store, ledger) }));
  const functionTimeoutMs = ventilatorTimeoutSeconds(provider) * 1000;
  const deps = (container: Container): VentilatorDeps => ({
    provider,
    openLedger: () => container.ledger,
    invoker,
    mapping: container.mapping,
    clock,
    log: recorder.log,
    metricsNamespace: METRICS_NAMESPACE,
    sleep: (ms) => loop.sleep(ms),
  });

  /** One Lambda invocation in a warm container: the mapping adapter's retries stop at the invocation's deadline. */
  const invoke = async <T>(deadline: number, body: (d: VentilatorDeps, remaining: () => number) => Promise<T>): Promise<T> => {
    const container = containers.acquire();
    const remaining = () => deadline - loop.now;
    container.mapping.deadlineMs = remaining;
    try {
      return await body(deps(container), remaining);
    } catch (err) {
      recorder.ventilatorFailures.push({ at: loop.now, reason: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      containers.release(container);
    }
  };

  const stream = new SimStream(provider.concurrentBatches, `arn:aws:kinesis:sim:000000000000:stream/${provider.id}`);
  const enqueuedAt = new Map<string, number>();
  let lastEnqueue = start;
  let serial = 0;
  for (const burst of scenario.backlog) {
    const at = start + burst.atMinute * MINUTE_MS;
    lastEnqueue = Math.max(lastEnqueue, at);
    const ids = Array.from({ length: burst.records }, () => `rec-${String(++serial).padStart(7, "0")}`);
    for (const id of ids) enqueuedAt.set(id, at);
    loop.at(at, () => ids.forEach((id) => stream.put(id, at)));
  }

  const esm = new SimEventSourceMapping(
    loop,
    stream,
    plane,
    { maximumRetryAttempts: settings.maximumRetryAttempts, bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError, maximumRecordAgeInSeconds: settings.maximumRecordAgeInSeconds },
    { pollIntervalMs: scenario.mapping.pollIntervalMs, batchGapMs: scenario.mapping.batchGapMs, functionTimeoutMs },
    (event, deadline) => invoke(deadline, (d, remaining) => processBatch(event, { getRemainingTimeInMillis: remaining }, d)),
    recorder,
  );
  esm.start();

  const rearmMs = scenario.rearmIntervalMinutes * MINUTE_MS;
  const tick = (): void => {
    invoke(loop.now + functionTimeoutMs, (d) => onSchedule(d)).catch(() => undefined);
    loop.after(rearmMs, tick);
  };
  loop.at(start + rearmMs, tick);

  const total = totalRecords(scenario);
  const endReason = await loop.run({ horizon, done: () => loop.now >= lastEnqueue && recorder.settled >= total });
  esm.stop();
  const end = loop.now;

  const oracle = shared?.oracle ?? oracleFor(scenario, provider);
  const metrics = computeMetrics(
    {
      scenario: scenario.name,
      controller,
      start,
      end,
      recorder,
      enqueuedAt,
      outages: spec.outages.map((o) => ({ from: start + o.fromMinute * MINUTE_MS, to: start + o.toMinute * MINUTE_MS })),
      heals: healsOf(scenario, oracle, false),
      budgetSpent: budgetSpentSpans(recorder.controller, provider.timezone, end),
      mappingRequests: plane.requests.accepted + plane.requests.refused,
      duplicates: model.duplicates(),
    },
    oracle,
  );
  return {
    scenario,
    controller,
    seed,
    provider,
    start,
    end,
    endReason,
    metrics,
    recorder,
    oracle,
    model,
    mappingHistory: plane.history,
    mappingRequests: { accepted: plane.requests.accepted, refused: plane.requests.refused },
    mappingStats: esm.stats,
    events: loop.eventCount,
  };
}
