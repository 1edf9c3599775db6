/**
 * The ventilator's batch lifecycle: prepare (decode, gate, which records are
 * work: candidates.ts) → process each record (claim, call, record) with at
 * most the controller's limit in flight, the limit adapting wave by wave (see
 * waves.ts) → decide (controller, mapping) → report (one log/EMF line) → hand
 * back what must be redelivered as `batchItemFailures` (ReportBatchItemFailures).
 *
 * The guarantees it keeps (docs/runtime.md states them with the failures they survive):
 * - a call starts only if it can end (callBoundMs: worker timeout, cold start,
 *   slack) before the access window closes and before the provider day ends,
 *   within the claim's lease, and with time left in this invocation;
 * - a call whose fate is in doubt keeps its claim until its lease ends: no
 *   second worker fetches the record while the first may still run; a worker
 *   that died mid-call (and a lease that ended with nothing recorded) leaves an
 *   outcome nobody knows: the record ends dead, never fetched twice;
 * - a call that never reached the provider gives its attempt and its budget back;
 * - an auth failure pauses the provider until an operator resumes it;
 * - a fetched body whose landing failed is landed later, never fetched again;
 * - a batch whose calls are done never fails for a mapping or state write.
 */
import type { Provider } from "../catalog/provider";
import { callBoundMs, callRunMs, FINISH_MARGIN_MS, INVOKE_MARGIN_MS, timeToStartCallMs } from "../catalog/timing";
import { summarize } from "../controller/batch-stats";
import { BREAKER, type CallSample, type ControllerAction, type ControllerState } from "../controller/types";
import { LedgerConflictError, LedgerUnavailableError } from "../ledger/errors";
import { LEDGER_STATUS, type DayCounts, type LedgerEntry } from "../ledger/types";
import { DateTime } from "luxon";
import { providerDay } from "../windows/clock";
import { candidatesOf, type Candidate } from "./candidates";
import { DailyBudget } from "./daily-budget";
import { expiring, expiryReason } from "./expiry";
import { fanOut } from "./fan-out";
import { gate, type Gate } from "./gate";
import { mappingChangeFor } from "./mapping-actions";
import { loadPipeline, savePipeline, type Pipeline } from "./pipeline-state";
import type { Clock, InvokeResult, LedgerPort, MappingChange, MappingControl, PauseSnapshot, WorkerInvoker } from "./ports";
import { decodeRecord, type DecodedRecord, type KinesisBatchEvent } from "./records";
import { emfLine, type Log } from "./telemetry";
import { replay, Waves, type TimedReport } from "./waves";

export { FINISH_MARGIN_MS, INVOKE_MARGIN_MS } from "../catalog/timing";

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
  /** Longest pause before a batch that made no progress is handed back. @default HAND_BACK_PAUSE_MS */
  handBackPauseMs?: number;
}

/** The part of the Lambda context the ventilator reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Longest wait before handing back a batch that could call nothing (the
 * gate closed, records leased by a killed invocation or backing off, the
 * worker unreachable): Lambda redelivers a handed-back batch at once, and each
 * redelivery spends one of the mapping's retries and, with a stale view, a
 * control-plane call. Bounded so: one redelivery per pause per batch slot.
 */
export const HAND_BACK_PAUSE_MS = 10_000;

/** Tries of a ledger write that records a call's outcome (each is safe to repeat). */
const RECORD_TRIES = 3;

type Fate =
  | { fate: "done"; sample?: CallSample }
  | { fate: "skipped"; why: "done" | "dead" }
  | { fate: "dead"; sample?: CallSample; reason: string }
  /** `waitUntil`: the record cannot be worked before then (a lease, a backoff); `called`: an attempt was spent. */
  | { fate: "retry"; reason: string; called?: boolean; waitUntil?: number };

/** Ledger key of a record that could not be decoded: its sequence number is all it has. */
export function malformedKey(sequenceNumber: string): string {
  return `malformed:${sequenceNumber}`;
}

/** The end of the provider's day in which `now` falls (epoch ms, exclusive). */
export function providerDayEnd(provider: Provider, now: number): number {
  return DateTime.fromMillis(now, { zone: provider.timezone }).endOf("day").toMillis() + 1;
}

/**
 * The end of the access window (`closesAt`, from the gate) or of the
 * provider's day, whichever comes first: every call of the batch must have
 * ended by then.
 */
export function windowOrDayEnd(provider: Provider, closesAt: number | null, now: number): number {
  return Math.min(closesAt ?? Infinity, providerDayEnd(provider, now));
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
    const kind = f?.fate === "done" ? "done" : f?.fate === "dead" ? "dead" : f?.fate === "retry" && f.called ? "failed" : null;
    if (!kind) return;
    counts[kind]++;
    if (candidates[i]!.record.adHoc) counts[kind === "done" ? "adHocDone" : kind === "dead" ? "adHocDead" : "adHocFailed"]++;
  });
  return counts;
}

/**
 * A refused transition means another party already moved the record on (the
 * worker's guard completed it, or a later claim owns it): the stored entry is
 * the truth to act on. Store errors are retried: every write here is safe to
 * repeat (a repeat of an applied write is refused by its own result).
 */
async function settled(write: () => Promise<LedgerEntry | null>, sleep: (ms: number) => Promise<void>): Promise<LedgerEntry | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (err instanceof LedgerConflictError) return err.stored;
      if (!(err instanceof LedgerUnavailableError) || attempt >= RECORD_TRIES) throw err;
      await sleep(100 * 2 ** attempt);
    }
  }
}

function controllerSample(result: InvokeResult): CallSample | undefined {
  // An auth failure pauses the provider instead; a call that never reached it says nothing about its load,
  // except a Lambda throttle: the worker's reserved concurrency is full, and the limit must come down.
  if (result.outcome === "auth") return undefined;
  if (result.call === "not-made" && result.outcome !== "throttled") return undefined;
  // A permanent failure is the provider answering promptly "no"; a failed landing is a provider that answered: neither is congestion.
  const outcome = result.outcome === "permanent" || result.outcome === "landing" ? "ok" : result.outcome;
  return { latencyMs: result.latencyMs, outcome };
}

export async function processBatch(event: KinesisBatchEvent, context: InvocationContext, deps: VentilatorDeps): Promise<BatchResponse> {
  const { provider, clock } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const ledger = deps.openLedger();
  const now = clock.now();
  const day = providerDay(provider.timezone, now);
  const decoded = event.Records.map(decodeRecord);
  const pipeline = await loadPipeline(ledger, provider, now);

  const g = gate(provider, pipeline.pause, pipeline.controller, now);
  if (!g.open) return handBackAll(decoded, g, pipeline, deps, ledger, context, now);

  const malformed = decoded.filter((d) => d.kind === "malformed");
  await Promise.all(malformed.map((m) => ledger.markDead(malformedKey(m.sequenceNumber), day, now, m.reason, { payload: m.data })));
  const { candidates, skipped } = await candidatesOf(decoded, ledger, provider, day);

  // A batch carries records already done (re-sent after a failed one) and records it may never start: the
  // daily budget is reserved a wave at a time as calls are about to start, not for the whole batch up front.
  const budget = new DailyBudget(ledger, day, provider.dailyRequestLimit);

  const waves = new Waves(provider, pipeline.controller);
  const limit = waves.limit();
  const workerTimeoutMs = provider.worker.timeoutSeconds * 1000;
  const boundMs = callBoundMs(provider);
  const runMs = callRunMs(provider);
  const samples: CallSample[] = [];
  let authFailure: string | null = null;
  /** A call the worker could not make (its credential unreadable, Lambda refusing): start nothing more, hand the rest back. */
  let stalled: string | null = null;

  let checkedAt = now;
  let held: Exclude<Gate, { open: true }> | null = null;
  /** Re-reads the gate at most every GATE_RECHECK_MS; once closed, the batch starts nothing more (a failed read stops it too, see `run`). */
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

  // Known at the start; the gate re-check would see them only up to GATE_RECHECK_MS late.
  const stopAt = windowOrDayEnd(provider, g.closesAt, now);
  /** Whether a call may start at `at`: it must be able to end before the window or day does, within the lease. */
  const fits = (at: number, leaseUntil: number = Infinity): boolean =>
    held === null &&
    authFailure === null &&
    stalled === null &&
    !budget.exhausted &&
    at + boundMs <= stopAt &&
    at + runMs <= leaseUntil &&
    !waves.breakerOpen() &&
    context.getRemainingTimeInMillis() > timeToStartCallMs(provider);

  /** Records the outcome of a call that was made, or in doubt. */
  const record = async (c: Candidate, result: InvokeResult, sample: CallSample | undefined): Promise<Fate> => {
    const id = c.record.id;
    const call = result.call ?? "made";
    if (result.outcome === "ok") {
      if (!result.recorded) {
        const entry = await settled(() => ledger.complete(id, c.day, clock.now()), sleep).catch(() => null);
        // Fetched but recorded nowhere: the claim stays until its lease ends; the worst double fault there is.
        if (entry?.status !== LEDGER_STATUS.DONE) return { fate: "retry", reason: "fetched, but the ledger could not record it", called: true };
      }
      return { fate: "done", ...(sample ? { sample } : {}) };
    }
    const reason = `${result.outcome}: ${result.reason ?? "no reason given"}`;
    if (call === "in-doubt") return { fate: "retry", reason: `${reason} (the call may still be running: its claim is kept until its lease ends)`, called: true };
    if (call === "died") {
      // The provider may have served it and nothing recorded it: dead rather than fetched twice; a redrive fetches it again.
      const why = `${reason}; the worker died mid-call, so the provider may have served it: not fetched again today (redrive it if it was not)`;
      const entry = await settled(() => ledger.markDead(id, c.day, clock.now(), why, { payload: c.record.payload }), sleep);
      return entry?.status === LEDGER_STATUS.DONE ? { fate: "done", ...(sample ? { sample } : {}) } : { fate: "dead", reason: why, ...(sample ? { sample } : {}) };
    }
    if (result.outcome === "landing") {
      if (result.kept) return { fate: "retry", reason, called: true };
      // Fetched, and its body could neither land nor be kept: dead rather than fetched twice; a redrive fetches it again.
      const entry = await settled(() => ledger.markDead(id, c.day, clock.now(), reason, { payload: c.record.payload }), sleep);
      return entry?.status === LEDGER_STATUS.DONE ? { fate: "done" } : { fate: "dead", reason, ...(sample ? { sample } : {}) };
    }
    const entry = await settled(
      () => ledger.fail(id, c.day, clock.now(), { reason, permanent: result.outcome === "permanent", payload: c.record.payload, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) }),
      sleep,
    );
    if (entry?.status === LEDGER_STATUS.DONE) return { fate: "done", ...(sample ? { sample } : {}) };
    if (entry?.status === LEDGER_STATUS.DEAD) return { fate: "dead", reason, ...(sample ? { sample } : {}) };
    return { fate: "retry", reason, called: true, ...(entry?.notBefore ? { waitUntil: entry.notBefore } : {}) };
  };

  /** The call never reached the provider, or was refused as unauthenticated: the claim and the budget go back. */
  const giveBack = async (c: Candidate, reason: string): Promise<Fate> => {
    budget.giveBack();
    await settled(() => ledger.release(c.record.id, c.day, clock.now()), sleep);
    return { fate: "retry", reason };
  };

  /** A record fetched on an earlier delivery whose body waits in the ledger: land it, call nothing. */
  const landKept = async (c: Candidate): Promise<Fate> => {
    const landing = await ledger.claimLanding(c.record.id, c.day, clock.now());
    if (!landing.claimed) {
      const entry = landing.entry;
      if (entry?.status === LEDGER_STATUS.DONE) return { fate: "skipped", why: "done" };
      if (entry?.status === LEDGER_STATUS.DEAD) return { fate: "skipped", why: "dead" };
      if (entry?.status !== LEDGER_STATUS.LANDING) return { fate: "retry", reason: `landing: the record is ${entry?.status ?? "gone"}` };
      const reason = `landing failed ${entry.landingAttempts} times: ${entry.lastError ?? "no reason given"}`;
      const dead = await settled(() => ledger.markDead(c.record.id, c.day, clock.now(), reason, { payload: c.record.payload }), sleep);
      return dead?.status === LEDGER_STATUS.DONE ? { fate: "done" } : { fate: "dead", reason };
    }
    const result = await deps.invoker.invoke({ providerId: provider.id, recordId: c.record.id, day: c.day, payload: c.record.payload, mode: "land" }, workerTimeoutMs + INVOKE_MARGIN_MS);
    if (result.outcome === "ok") return { fate: "done" };
    return { fate: "retry", reason: `landing: ${result.reason ?? result.outcome}` };
  };

  /** One record: claim, call, record. `invoked` tells a ledger failure before the call from one after it. */
  const work = async (c: Candidate, progress: { invoked: boolean }): Promise<Fate> => {
    if (!(await stillOpen())) return { fate: "retry", reason: `held: ${held!.reason}` };
    if (c.land) return landKept(c);
    const claim = await ledger.claim(c.record.id, c.day, clock.now(), { adHoc: c.record.adHoc, payload: c.record.payload });
    if (!claim.claimed) {
      switch (claim.reason) {
        case "leased":
          return { fate: "retry", reason: "leased by another invocation", waitUntil: claim.entry.leaseUntil ?? undefined };
        case "backing-off":
          return { fate: "retry", reason: `backing off after attempt ${claim.entry.attempts}`, waitUntil: claim.entry.notBefore ?? undefined };
        case "landing":
          return landKept(c);
        default:
          return { fate: "skipped", why: claim.reason };
      }
    }
    const release = () => settled(() => ledger.release(c.record.id, c.day, clock.now()), sleep);
    let granted: boolean;
    try {
      granted = await budget.take(waves.limit(), clock.now());
    } catch (err) {
      // Nothing was called: a claim left behind would end, at its lease, as an outcome nobody knows.
      await release().catch(() => undefined);
      throw err;
    }
    if (!granted) {
      await release();
      return { fate: "retry", reason: "daily request limit reached" };
    }
    // The claim and the reservation took time: the call must still end before the window, the day and the lease do.
    if (!fits(clock.now(), claim.entry.leaseUntil ?? Infinity)) return giveBack(c, "no time left for the call before the window, the day or the lease ends");
    waves.started();
    progress.invoked = true;
    const result = await deps.invoker.invoke({ providerId: provider.id, recordId: c.record.id, day: c.day, payload: c.record.payload }, workerTimeoutMs + INVOKE_MARGIN_MS);
    const sample = controllerSample(result);
    if (sample) {
      samples.push(sample);
      waves.finished(sample, clock.now());
    } else waves.cancelled();
    if (result.outcome === "auth") {
      authFailure ??= result.reason ?? "the provider refused the credential";
      return giveBack(c, `auth: ${result.reason ?? "refused"}`);
    }
    if (result.call === "not-made") {
      if (result.outcome !== "throttled") stalled ??= result.reason ?? result.outcome;
      return giveBack(c, `not called: ${result.outcome}: ${result.reason ?? "no reason given"}`);
    }
    return record(c, result, sample);
  };

  /**
   * A ledger that cannot be reached stops the batch from starting more calls; the record is handed
   * back. A claim it could not release or a result it could not write stays under its lease, and
   * counts as the attempt it may have been.
   */
  const run = async (c: Candidate): Promise<Fate> => {
    const progress = { invoked: false };
    try {
      return await work(c, progress);
    } catch (err) {
      if (!(err instanceof LedgerUnavailableError)) throw err;
      stalled ??= `ledger: ${err.message}`;
      return { fate: "retry", reason: `ledger: ${err.message}`, called: progress.invoked };
    }
  };

  const mayStart = (): boolean => fits(clock.now());
  const { results, notStarted, peakInFlight } = await fanOut(candidates, () => waves.limit(), run, mayStart);

  await budget.refundUnused();

  const decided = await decide(deps, ledger, pipeline, waves.finish(clock.now()), budget.exhausted, now);
  const stop: Exclude<Gate, { open: true }> | null = authFailure !== null ? { open: false, reason: "auth", until: null } : held;
  if (stop) await hold(stop, decided.pipeline, deps, ledger, clock.now(), authFailure ?? undefined);

  const fates = results.filter((f): f is Fate => f !== undefined);
  const count = (k: Fate["fate"]) => fates.filter((f) => f.fate === k).length;
  const counts = dayCounts(candidates, results, malformed.length);
  if (counts.done + counts.failed + counts.dead > 0) await ledger.addDayCounts(day, counts).catch(() => undefined);

  const waiting = [
    ...candidates.flatMap((c, i) => (results[i]?.fate === "retry" ? [{ c, why: (results[i] as Extract<Fate, { fate: "retry" }>).reason }] : [])),
    ...notStarted.map((i) => ({ c: candidates[i]!, why: "not started in this batch" })),
  ];
  // A record the stream is about to drop ends dead (with its payload) rather than expire unseen.
  const expired = await giveUpExpiring(waiting, deps, ledger, sleep, clock.now());
  const handBack = waiting.filter(({ c }) => !expired.has(c.sequenceNumber)).map(({ c }) => c.sequenceNumber);
  if (samples.length === 0 && handBack.length > 0) {
    const waits = fates.flatMap((f) => (f.fate === "retry" && f.waitUntil !== undefined ? [f.waitUntil] : []));
    const until = stop ? (stop.until ?? Infinity) : waits.length > 0 ? Math.min(...waits) : stalled ? Infinity : null;
    if (until !== null) await pause(until, context, deps);
  }

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
        Dead: counts.dead + expired.size,
        Deduplicated: count("skipped") + skipped,
        HandedBack: handBack.length,
        LatencyP50: stats.p50,
        LatencyP95: stats.p95,
        BreakerOpen: decided.controller.breaker.status === BREAKER.OPEN ? 1 : 0,
        AuthFailed: authFailure !== null ? 1 : 0,
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
        ...(authFailure !== null ? { authFailure } : {}),
        ...(stalled !== null ? { workerUnavailable: stalled } : {}),
      },
    ),
  );
  return { batchItemFailures: handBack.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * Makes the waiting records the stream is about to drop dead, with their payload and why they
 * waited (see expiry.ts); returns their sequence numbers. A record done meanwhile stays done.
 */
async function giveUpExpiring(
  waiting: readonly { c: Candidate; why: string }[],
  deps: VentilatorDeps,
  ledger: LedgerPort,
  sleep: (ms: number) => Promise<void>,
  now: number,
): Promise<Set<string>> {
  const given = new Set<string>();
  for (const { c, why } of waiting) {
    if (!expiring(deps.provider, c.arrivedAt, now)) continue;
    try {
      await settled(() => ledger.markDead(c.record.id, c.day, now, expiryReason(deps.provider, c.arrivedAt!, why), { payload: c.record.payload }), sleep);
      given.add(c.sequenceNumber);
    } catch (err) {
      // Not written: it stays in the stream, and the next delivery tries again.
      if (!(err instanceof LedgerUnavailableError)) throw err;
    }
  }
  return given;
}

/** Waits until `until` (or HAND_BACK_PAUSE_MS, whichever is sooner) before a batch that made no progress is handed back. */
async function pause(until: number, context: InvocationContext, deps: VentilatorDeps): Promise<void> {
  const wait = Math.min(until - deps.clock.now(), deps.handBackPauseMs ?? HAND_BACK_PAUSE_MS, context.getRemainingTimeInMillis() - FINISH_MARGIN_MS);
  if (wait > 0) await (deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
}

/** A mapping update that cannot fail the batch: its calls are done, and the schedule reconciles the mapping. */
async function updateMapping(mapping: MappingControl, change: MappingChange): Promise<{ applied: boolean; reason?: string }> {
  try {
    return await mapping.update(change);
  } catch (err) {
    return { applied: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Feeds the batch to the controller, saves the new state, then applies the
 * action to the mapping. A mapping update that could not be made is taken
 * back out of the saved state, so a later batch asks again. A state that
 * cannot be saved is dropped: the batch's records are recorded already, and a
 * later batch decides again.
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

  let outcome: Awaited<ReturnType<typeof savePipeline>>;
  try {
    outcome = await savePipeline(ledger, provider, now, first, (current) => {
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
  } catch (err) {
    if (!(err instanceof LedgerUnavailableError)) throw err;
    return { controller: first.controller, pause: first.pause, action, applied: null, pipeline: first };
  }
  const { pipeline, saved } = outcome;

  const pending = change as MappingChange | null;
  if (!saved || !pending) return { controller: pipeline.controller, pause: pipeline.pause, action, applied: null, pipeline };
  const { applied } = await updateMapping(mapping, pending);
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
  ).catch(() => ({ pipeline, saved: false }));
  return { controller: retried.pipeline.controller, pause: retried.pipeline.pause, action, applied, pipeline: retried.pipeline };
}

/** Pauses only an operator's resume lifts; nothing the pipeline decides on its own replaces them. */
const OPERATOR_HELD = new Set<string>(["operator", "auth"]);

/** Remembers why nothing may be called (unless the breaker says it already) and makes sure the mapping stops. */
async function hold(g: Exclude<Gate, { open: true }>, pipeline: Pipeline, deps: VentilatorDeps, ledger: LedgerPort, now: number, note?: string): Promise<boolean> {
  await remember(g, pipeline, deps, ledger, now, note);
  return (await updateMapping(deps.mapping, { enabled: false })).applied;
}

/** Saves the pause that explains why nothing may be called (the breaker says it already). */
async function remember(g: Exclude<Gate, { open: true }>, pipeline: Pipeline, deps: VentilatorDeps, ledger: LedgerPort, now: number, note?: string): Promise<void> {
  if (g.reason !== "breaker-open" && pipeline.pause?.reason !== g.reason) {
    const reason = g.reason;
    await savePipeline(ledger, deps.provider, now, pipeline, (current) =>
      current.pause?.reason === reason || (current.pause && OPERATOR_HELD.has(current.pause.reason) && reason !== "operator")
        ? null
        : { controller: current.controller, pause: { reason, since: now, resumeMappingBatchSize: current.controller.mappingBatchSize, ...(note ? { note } : {}) } },
    ).catch((err: unknown) => {
      // The auth pause must not be lost: a batch that cannot save it fails, and its redelivery tries again.
      if (reason === "auth" || !(err instanceof LedgerUnavailableError)) throw err;
    });
  }
}

/**
 * Nothing may be called: remember why, make sure the mapping stops, and hand the whole batch back
 * after a pause. Records the stream is about to drop are given up as dead first; while there are
 * such records the mapping is left running, so the next batch brings the next ones at once.
 */
async function handBackAll(
  decoded: readonly DecodedRecord[],
  g: Exclude<Gate, { open: true }>,
  pipeline: Pipeline,
  deps: VentilatorDeps,
  ledger: LedgerPort,
  context: InvocationContext,
  now: number,
): Promise<BatchResponse> {
  const { provider } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const old = decoded.filter((d) => d.kind === "record" && expiring(provider, d.arrivedAt, now));
  const work = old.length === 0 ? null : await candidatesOf(old, ledger, provider, providerDay(provider.timezone, now));
  const expired = work === null ? new Set<string>() : await giveUpExpiring(work.candidates.map((c) => ({ c, why: `held: ${g.reason}` })), deps, ledger, sleep, now);
  // Off the stream with them: the given up, copies done on their own day, and twins of the given up. The rest
  // waits, and with it everything behind it, so a done copy handed back would hold up the records it precedes.
  const gone = new Set([...expired, ...(work?.done ?? []), ...[...(work?.twins ?? [])].filter(([, kept]) => expired.has(kept)).map(([twin]) => twin)]);
  const sequenceNumbers = decoded.map((d) => d.sequenceNumber).filter((seq) => !gone.has(seq));
  const applied = gone.size > 0 ? (await remember(g, pipeline, deps, ledger, now), null) : await hold(g, pipeline, deps, ledger, now);
  if (gone.size === 0) await pause(g.until ?? Infinity, context, deps);
  deps.log(
    emfLine(
      deps.metricsNamespace,
      provider.id,
      now,
      {
        BatchSize: decoded.length,
        Limit: pipeline.controller.limit,
        InFlight: 0,
        HandedBack: sequenceNumbers.length,
        Dead: expired.size,
        BreakerOpen: pipeline.controller.breaker.status === BREAKER.OPEN ? 1 : 0,
      },
      { message: "batch handed back", reason: g.reason, until: g.until, mappingDisabled: applied, expiredDead: expired.size },
    ),
  );
  return { batchItemFailures: sequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
}
