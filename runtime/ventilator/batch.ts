/**
 * The ventilator's batch lifecycle: prepare (decode, gate) → process each
 * record (claim, call, record) with at most the controller's limit in flight,
 * the limit adapting wave by wave (see waves.ts) →
 * decide (controller, mapping) → report (one log/EMF line) → hand back what
 * must be redelivered as `batchItemFailures` (ReportBatchItemFailures).
 */
import type { Provider } from "../catalog/provider";
import { summarize } from "../controller/batch-stats";
import { BREAKER, type CallSample, type ControllerAction, type ControllerState } from "../controller/types";
import { LedgerConflictError } from "../ledger/errors";
import { LEDGER_STATUS, type DayCounts, type LedgerEntry } from "../ledger/types";
import { DateTime } from "luxon";
import { providerDay } from "../windows/clock";
import { fanOut } from "./fan-out";
import { gate, type Gate } from "./gate";
import { mappingChangeFor } from "./mapping-actions";
import { loadPipeline, savePipeline, type Pipeline } from "./pipeline-state";
import type { Clock, InvokeResult, LedgerPort, MappingChange, MappingControl, PauseSnapshot, WorkerInvoker } from "./ports";
import { decodeRecord, type KinesisBatchEvent, type StreamRecord } from "./records";
import { emfLine, type Log } from "./telemetry";
import { replay, Waves, type TimedReport } from "./waves";

export interface VentilatorDeps {
  provider: Provider;
  /** A ledger for one invocation: a Ledger remembers the claims it made (see runtime/ledger/ledger.ts). */
  openLedger: () => LedgerPort;
  invoker: WorkerInvoker;
  mapping: MappingControl;
  clock: Clock;
  log: Log;
  metricsNamespace: string;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** The part of the Lambda context the ventilator reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Time kept after the last call may end, for the ledger writes and the decision. */
export const FINISH_MARGIN_MS = 3_000;
/** Extra wait on a worker invoke beyond the worker's own timeout (Lambda's overhead). */
export const INVOKE_MARGIN_MS = 2_000;
/**
 * Longest wait before handing back a batch that is held up only by records
 * another (killed) invocation still holds: without it Lambda would redeliver
 * at once, over and over, until the lease expires.
 */
export const LEASED_BACKOFF_MAX_MS = 5_000;

type Fate =
  | { fate: "done"; sample: CallSample }
  | { fate: "skipped"; why: "done" | "dead" }
  | { fate: "dead"; sample: CallSample; reason: string }
  | { fate: "retry"; sample?: CallSample; reason: string; leasedUntil?: number };

interface Candidate {
  sequenceNumber: string;
  record: StreamRecord;
}

/** Ledger key of a record that could not be decoded: its sequence number is all it has. */
export function malformedKey(sequenceNumber: string): string {
  return `malformed:${sequenceNumber}`;
}

/**
 * The end of the access window (`closesAt`, from the gate) or of the
 * provider's day, whichever comes first: no call of the batch starts after it.
 */
export function windowOrDayEnd(provider: Provider, closesAt: number | null, now: number): number {
  const dayEnd = DateTime.fromMillis(now, { zone: provider.timezone }).endOf("day").toMillis() + 1;
  return Math.min(closesAt ?? Infinity, dayEnd);
}

/**
 * A record enqueued on an earlier provider day and already fetched that day:
 * Lambda re-sends successes that follow a failed record, and after midnight
 * they would be claimed afresh under the new day. Costs one read, only for
 * records that crossed midnight in the stream.
 */
async function doneOnItsOwnDay(ledger: LedgerPort, provider: Provider, record: StreamRecord, today: string): Promise<boolean> {
  if (record.enqueuedAt === undefined) return false;
  const enqueuedDay = providerDay(provider.timezone, record.enqueuedAt);
  if (enqueuedDay >= today) return false;
  return (await ledger.entry(record.id, enqueuedDay))?.status === LEDGER_STATUS.DONE;
}

/**
 * The day's request budget, reserved from the ledger a wave at a time (one
 * conditional write per wave, not per call) and refunded when the batch ends
 * with some left. Exhausted once the ledger grants nothing more.
 */
class DailyBudget {
  exhausted = false;
  private held = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly ledger: LedgerPort,
    private readonly day: string,
    private readonly limit: number | undefined,
  ) {}

  async take(chunk: number, now: number): Promise<boolean> {
    if (this.limit === undefined) return true;
    while (this.held === 0 && !this.exhausted) {
      this.pending ??= this.ledger.reserveRequests(this.day, chunk, this.limit, now).then((granted) => {
        this.held += granted;
        if (granted === 0) this.exhausted = true;
        this.pending = null;
      });
      await this.pending;
    }
    if (this.held === 0) return false;
    this.held--;
    return true;
  }

  async refundUnused(): Promise<void> {
    if (this.held > 0) await this.ledger.refundRequests(this.day, this.held);
    this.held = 0;
  }
}

/**
 * How often a running batch re-reads the gate (operator pause, window, breaker
 * opened by a parallel batch): batches can run for minutes, and a pause or a
 * maintenance window must not wait for the batch to end.
 */
export const GATE_RECHECK_MS = 10_000;

/** What this batch moved on today: done, failed with attempts left, dead; and how much of it was ad hoc. */
function dayCounts(candidates: readonly Candidate[], results: readonly (Fate | undefined)[], malformed: number): Required<DayCounts> {
  const counts = { done: 0, failed: 0, dead: malformed, adHocDone: 0, adHocFailed: 0, adHocDead: 0 };
  results.forEach((f, i) => {
    const kind = f?.fate === "done" ? "done" : f?.fate === "dead" ? "dead" : f?.fate === "retry" && f.sample ? "failed" : null;
    if (!kind) return;
    counts[kind]++;
    if (candidates[i]!.record.adHoc) counts[kind === "done" ? "adHocDone" : kind === "dead" ? "adHocDead" : "adHocFailed"]++;
  });
  return counts;
}

async function backOffWhileLeased(fates: readonly Fate[], calls: number, context: InvocationContext, deps: VentilatorDeps): Promise<void> {
  const leased = fates.filter((f): f is Extract<Fate, { fate: "retry" }> => f.fate === "retry" && f.leasedUntil !== undefined);
  if (calls > 0 || leased.length === 0) return;
  const until = Math.min(...leased.map((f) => f.leasedUntil!));
  const wait = Math.min(until - deps.clock.now(), LEASED_BACKOFF_MAX_MS, context.getRemainingTimeInMillis() - FINISH_MARGIN_MS);
  if (wait > 0) await (deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
}

/**
 * A refused transition means another party already moved the record on (the
 * worker's guard completed it, or a later claim owns it): the stored entry is
 * the truth to act on.
 */
async function settled(write: () => Promise<LedgerEntry>): Promise<LedgerEntry | null> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof LedgerConflictError) return err.stored;
    throw err;
  }
}

function controllerSample(result: InvokeResult): CallSample {
  // A permanent failure is the provider answering promptly "no": not a sign of congestion.
  return { latencyMs: result.latencyMs, outcome: result.outcome === "permanent" ? "ok" : result.outcome };
}

export async function processBatch(event: KinesisBatchEvent, context: InvocationContext, deps: VentilatorDeps): Promise<BatchResponse> {
  const { provider, clock } = deps;
  const ledger = deps.openLedger();
  const now = clock.now();
  const day = providerDay(provider.timezone, now);
  const decoded = event.Records.map(decodeRecord);
  const pipeline = await loadPipeline(ledger, provider, now);

  const g = gate(provider, pipeline.pause, pipeline.controller, now);
  if (!g.open) return handBackAll(decoded.map((d) => d.sequenceNumber), g, pipeline, deps, ledger, now);

  const malformed = decoded.filter((d) => d.kind === "malformed");
  await Promise.all(malformed.map((m) => ledger.markDead(malformedKey(m.sequenceNumber), day, now, m.reason)));

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const d of decoded) {
    if (d.kind !== "record") continue;
    if (seen.has(d.record.id)) duplicates++;
    else {
      seen.add(d.record.id);
      candidates.push({ sequenceNumber: d.sequenceNumber, record: d.record });
    }
  }

  // A batch carries records already done (re-sent after a failed one) and records it may never start: the
  // daily budget is reserved a wave at a time as calls are about to start, not for the whole batch up front.
  const budget = new DailyBudget(ledger, day, provider.dailyRequestLimit);

  const waves = new Waves(provider, pipeline.controller);
  const limit = waves.limit();
  const workerTimeoutMs = provider.worker.timeoutSeconds * 1000;
  const samples: CallSample[] = [];

  let checkedAt = now;
  let held: Exclude<Gate, { open: true }> | null = null;
  /** Re-reads the gate at most every GATE_RECHECK_MS; once closed, the batch starts nothing more. */
  const stillOpen = async (): Promise<boolean> => {
    const t = clock.now();
    if (held || t - checkedAt < GATE_RECHECK_MS) return held === null;
    checkedAt = t;
    const fresh = await loadPipeline(ledger, provider, t);
    waves.rebase(fresh.controller);
    const g = gate(provider, fresh.pause, fresh.controller, t);
    if (!g.open) held ??= g;
    return held === null;
  };

  const run = async (c: Candidate): Promise<Fate> => {
    if (!(await stillOpen())) return { fate: "retry", reason: `held: ${held!.reason}` };
    if (await doneOnItsOwnDay(ledger, provider, c.record, day)) return { fate: "skipped", why: "done" };
    const claim = await ledger.claim(c.record.id, day, clock.now(), { adHoc: c.record.adHoc });
    if (!claim.claimed) {
      return claim.reason === "leased"
        ? { fate: "retry", reason: "leased by another invocation", leasedUntil: claim.entry.leaseUntil ?? undefined }
        : { fate: "skipped", why: claim.reason };
    }
    if (!(await budget.take(waves.limit(), clock.now()))) {
      await ledger.release(c.record.id, day, clock.now());
      return { fate: "retry", reason: "daily request limit reached" };
    }
    waves.started();
    const result = await deps.invoker.invoke(
      { providerId: provider.id, recordId: c.record.id, day, payload: c.record.payload },
      workerTimeoutMs + INVOKE_MARGIN_MS,
    );
    const sample = controllerSample(result);
    samples.push(sample);
    waves.finished(sample, clock.now());
    if (result.outcome === "ok") {
      if (!result.recorded) await settled(() => ledger.complete(c.record.id, day, clock.now()));
      return { fate: "done", sample };
    }
    const reason = `${result.outcome}: ${result.reason ?? "no reason given"}`;
    const entry = await settled(() => ledger.fail(c.record.id, day, clock.now(), { reason, permanent: result.outcome === "permanent" }));
    if (entry?.status === LEDGER_STATUS.DONE) return { fate: "done", sample };
    return entry?.status === LEDGER_STATUS.DEAD ? { fate: "dead", sample, reason } : { fate: "retry", sample, reason };
  };

  // Both are known now; the gate re-check would see them only up to GATE_RECHECK_MS late.
  const stopAt = windowOrDayEnd(provider, g.closesAt, now);
  const mayStart = (): boolean =>
    held === null &&
    !budget.exhausted &&
    clock.now() < stopAt &&
    !waves.breakerOpen() &&
    context.getRemainingTimeInMillis() > workerTimeoutMs + INVOKE_MARGIN_MS + FINISH_MARGIN_MS;
  const { results, notStarted, peakInFlight } = await fanOut(candidates, () => waves.limit(), run, mayStart);

  await budget.refundUnused();

  const decided = await decide(deps, ledger, pipeline, waves.finish(clock.now()), budget.exhausted, now);
  if (held) await hold(held, decided.pipeline, deps, ledger, clock.now());

  const fates = results.filter((f): f is Fate => f !== undefined);
  const count = (k: Fate["fate"]) => fates.filter((f) => f.fate === k).length;
  const counts = dayCounts(candidates, results, malformed.length);
  if (counts.done + counts.failed + counts.dead > 0) await ledger.addDayCounts(day, counts);

  await backOffWhileLeased(fates, samples.length, context, deps);

  const handBack = [
    ...candidates.filter((_, i) => results[i]?.fate === "retry").map((c) => c.sequenceNumber),
    ...notStarted.map((i) => candidates[i]!.sequenceNumber),
  ];
  const stats = summarize(samples, provider.latencyThresholdMs);
  deps.log(
    emfLine(
      deps.metricsNamespace,
      provider.id,
      now,
      {
        BatchSize: event.Records.length,
        Limit: decided.controller.limit,
        InFlight: peakInFlight,
        Ok: stats.ok,
        Error: stats.error,
        Throttled: stats.throttled,
        Timeout: stats.timeout,
        Dead: counts.dead,
        Deduplicated: count("skipped") + duplicates,
        HandedBack: handBack.length,
        LatencyP50: stats.p50,
        LatencyP95: stats.p95,
        BreakerOpen: decided.controller.breaker.status === BREAKER.OPEN ? 1 : 0,
      },
      {
        message: "batch",
        day,
        limitUsed: limit,
        limitLowest: waves.lowestLimit(),
        slow: stats.slow,
        breaker: decided.controller.breaker.status,
        action: decided.action,
        mappingApplied: decided.applied,
        notStartedForTime: notStarted.length,
        dailyLimitReached: budget.exhausted,
        malformed: malformed.length,
        pause: decided.pause?.reason ?? null,
      },
    ),
  );
  return { batchItemFailures: handBack.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * Feeds the batch to the controller, saves the new state, then applies the
 * action to the mapping. A mapping update that could not be made is taken
 * back out of the saved state, so a later batch asks again.
 */
async function decide(
  deps: VentilatorDeps,
  ledger: LedgerPort,
  first: Pipeline,
  reports: readonly TimedReport[],
  dailyLimitReached: boolean,
  now: number,
): Promise<{ controller: ControllerState; pause: PauseSnapshot | null; action: ControllerAction["type"]; applied: boolean | null; pipeline: Pipeline }> {
  const { provider, mapping } = deps;
  let action: ControllerAction["type"] = "keep";
  let change: MappingChange | null = null;
  let before: ControllerState = first.controller;

  const { pipeline, saved } = await savePipeline(ledger, provider, now, first, (current) => {
    before = current.controller;
    let controller = current.controller;
    action = "keep";
    change = null;
    if (reports.length > 0) {
      const replayed = replay(provider, current.controller, reports);
      controller = replayed.state;
      action = replayed.action.type;
      change = mappingChangeFor(replayed.action);
    }
    let pause = current.pause;
    if (dailyLimitReached && pause === null) {
      pause = { reason: "daily-limit", since: now, resumeMappingBatchSize: controller.mappingBatchSize };
      change = { enabled: false };
    }
    const unchanged = pause === current.pause && JSON.stringify(controller) === JSON.stringify(current.controller);
    return unchanged ? null : { controller, pause };
  });

  const pending = change as MappingChange | null;
  if (!saved || !pending) return { controller: pipeline.controller, pause: pipeline.pause, action, applied: null, pipeline };
  const { applied } = await mapping.update(pending);
  if (applied || pending.batchSize === undefined || pending.enabled !== undefined) {
    // Breaker and pause changes stay recorded even if the mapping lagged: the gate keeps handing
    // batches back and the schedule reconciles the mapping.
    return { controller: pipeline.controller, pause: pipeline.pause, action, applied, pipeline };
  }
  const restored = { ...pipeline.controller, mappingBatchSize: before.mappingBatchSize, lastUpdateAt: before.lastUpdateAt };
  const retried = await savePipeline(ledger, provider, now, pipeline, (current) =>
    current.controller.mappingBatchSize === pipeline.controller.mappingBatchSize
      ? { controller: { ...current.controller, mappingBatchSize: restored.mappingBatchSize, lastUpdateAt: restored.lastUpdateAt }, pause: current.pause }
      : null,
  );
  return { controller: retried.pipeline.controller, pause: retried.pipeline.pause, action, applied, pipeline: retried.pipeline };
}

/** Remembers why nothing may be called (unless the breaker says it already) and makes sure the mapping stops. */
async function hold(g: Exclude<Gate, { open: true }>, pipeline: Pipeline, deps: VentilatorDeps, ledger: LedgerPort, now: number): Promise<boolean> {
  if (g.reason !== "breaker-open" && pipeline.pause?.reason !== g.reason) {
    const reason = g.reason;
    await savePipeline(ledger, deps.provider, now, pipeline, (current) =>
      current.pause?.reason === reason
        ? null
        : { controller: current.controller, pause: { reason, since: now, resumeMappingBatchSize: current.controller.mappingBatchSize } },
    );
  }
  return (await deps.mapping.update({ enabled: false })).applied;
}

/** Nothing may be called: remember why, make sure the mapping stops, and hand the whole batch back. */
async function handBackAll(
  sequenceNumbers: string[],
  g: Exclude<Gate, { open: true }>,
  pipeline: Pipeline,
  deps: VentilatorDeps,
  ledger: LedgerPort,
  now: number,
): Promise<BatchResponse> {
  const { provider } = deps;
  const applied = await hold(g, pipeline, deps, ledger, now);
  deps.log(
    emfLine(
      deps.metricsNamespace,
      provider.id,
      now,
      {
        BatchSize: sequenceNumbers.length,
        Limit: pipeline.controller.limit,
        InFlight: 0,
        HandedBack: sequenceNumbers.length,
        BreakerOpen: pipeline.controller.breaker.status === BREAKER.OPEN ? 1 : 0,
      },
      { message: "batch handed back", reason: g.reason, until: g.until, mappingDisabled: applied },
    ),
  );
  return { batchItemFailures: sequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
}
