/**
 * One provider's pipeline during `sluice local`: its plan, the pipeline on
 * the engines, its clock, the records enqueued, and what was seen over wall
 * time (snapshots for the view, ventilator lines and scenario changes for the
 * report). Live progress comes from the provider's call record and the
 * ledger's day counters, cheap enough to read every tick; whether every
 * record is done or dead is confirmed in the ledger record by record, because
 * a record can die without being counted (an expired last lease found by a
 * later claim).
 */
import { BREAKER, type BreakerState } from "../../runtime/controller/types";
import { LEDGER_STATUS, type LedgerEntry, type PauseReason } from "../../runtime/ledger/types";
import { loadPipeline } from "../../runtime/ventilator/pipeline-state";
import type { Clock } from "../../runtime/ventilator/ports";
import { providerDay, windowStatus, type ClosedReason } from "../../runtime/windows/clock";
import type { LocalEngines } from "../engines";
import type { LocalPipeline } from "../pipeline";
import type { LocalProviderPlan } from "./plan";

export type WindowView = { open: true; closesInMs: number | null } | { open: false; reason: ClosedReason; opensInMs: number | null };

export interface ProviderSnapshot {
  /** Wall ms since the run started. */
  atMs: number;
  enqueued: number;
  /** Records the provider answered ok (its own call record). */
  done: number;
  /** Calls that failed (error or throttle); the record may be retried. */
  failed: number;
  /** Records dead in the ledger's day counters. */
  dead: number;
  /** The mapping batch size in effect (records per invocation), and the mapping's state (Enabled, Disabled, …). */
  batchSize: number;
  mappingState: string;
  /** The controller's fan-out limit (calls one batch may have in flight). */
  limit: number;
  /** Worker executions running right now. */
  inFlight: number;
  breaker: BreakerState["status"];
  /** Wall ms until the next half-open probe is due, while the breaker is open. */
  probeInMs: number | null;
  pause: PauseReason | null;
  window: WindowView;
}

/** A ventilator log line with the wall time it was written. */
export interface TimedLine {
  atMs: number;
  line: Record<string, unknown>;
}

/** A scenario step as it was applied. */
export interface AppliedStep {
  atMs: number;
  text: string;
}

export interface Settlement {
  done: number;
  dead: number;
  /** Records neither done nor dead (not yet claimed, failed with attempts left, in progress). */
  open: number;
}

const READ_CONCURRENCY = 32;

/** A pipeline `log` that keeps each line with the wall time it was written. */
export function timedLog(into: TimedLine[], elapsed: () => number): (line: Record<string, unknown>) => void {
  return (line) => void into.push({ atMs: elapsed(), line });
}

export class ProviderRun {
  readonly snapshots: ProviderSnapshot[] = [];
  readonly steps: AppliedStep[] = [];
  readonly recordIds: string[] = [];
  /** Provider days the run has touched: the ledger counts per day. */
  private readonly days = new Set<string>();
  finishedAtMs: number | null = null;
  /** Provider clock minus wall clock: 0 on the real clock, the shift on an offset clock. */
  readonly clockOffsetMs: number;
  private readonly answered = new Set<string>();
  private failedCalls = 0;
  private callsSeen = 0;

  constructor(
    readonly plan: LocalProviderPlan,
    readonly pipeline: LocalPipeline,
    readonly clock: Clock,
    private readonly engines: LocalEngines,
    /** Wall ms since the run started. */
    private readonly elapsed: () => number,
    /** Where the pipeline's `log` put the ventilator's lines (see timedLog). */
    readonly lines: TimedLine[],
  ) {
    this.clockOffsetMs = Math.round(clock.now() - Date.now());
    this.touchDay();
  }

  get id(): string {
    return this.plan.provider.id;
  }

  async enqueue(count: number): Promise<void> {
    const ids =
      this.plan.ownWorker?.stub.ids?.(count) ?? Array.from({ length: count }, (_, i) => `${this.id}-record-${String(i + 1).padStart(String(count).length, "0")}`);
    if (new Set(ids).size !== count) throw new Error(`${this.id}: the stub's ids(${count}) must give ${count} distinct ids, gave ${ids.length} (${new Set(ids).size} distinct)`);
    const { failed } = await this.pipeline.enqueue(ids.map((id) => ({ id })));
    if (failed > 0) throw new Error(`${this.id}: ${failed} of ${count} records could not be written to the stream`);
    this.recordIds.push(...ids);
  }

  async snapshot(): Promise<ProviderSnapshot> {
    const now = this.clock.now();
    this.touchDay(now);
    const ledger = this.pipeline.ledger();
    const [counts, state] = await Promise.all([Promise.all([...this.days].map((d) => ledger.dayStats(d))), loadPipeline(ledger, this.plan.provider, now)]);
    const calls = this.callCounts();
    const breaker = state.controller.breaker;
    const status = windowStatus(this.plan.provider, now);
    const mapping = this.pipeline.mapping.mapping;
    const snap: ProviderSnapshot = {
      atMs: this.elapsed(),
      enqueued: this.recordIds.length,
      done: calls.done,
      failed: calls.failed,
      dead: counts.reduce((n, c) => n + c.dead, 0),
      batchSize: mapping.effective.batchSize,
      mappingState: mapping.state,
      limit: state.controller.limit,
      inFlight: this.engines.emulator.functions.counters(this.pipeline.names.worker).inFlight,
      breaker: breaker.status,
      probeInMs: breaker.status === BREAKER.OPEN ? Math.max(0, breaker.nextProbeAt - now) : null,
      pause: state.pause?.reason ?? null,
      window: status.open
        ? { open: true, closesInMs: status.closesAt === null ? null : status.closesAt - now }
        : { open: false, reason: status.reason, opensInMs: status.opensAt === null ? null : status.opensAt - now },
    };
    this.snapshots.push(snap);
    return snap;
  }

  /** Whether the counters or the stream say every record may be settled: worth confirming record by record. */
  maySettle(snap: ProviderSnapshot): boolean {
    if (snap.done + snap.dead >= snap.enqueued) return true;
    const shards = this.pipeline.mapping.poller.shards;
    const passed = shards.reduce((n, s) => n + s.recordsProcessed + s.recordsDiscarded, 0);
    return passed >= snap.enqueued && shards.every((s) => !s.inFlight);
  }

  /** Reads every record's entry on every day touched: done anywhere wins, then dead. */
  async settlement(): Promise<Settlement> {
    const ledger = this.pipeline.ledger();
    const days = [...this.days];
    const statuses: (LedgerEntry["status"] | null)[] = new Array(this.recordIds.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < this.recordIds.length) {
        const i = next++;
        const entries = await Promise.all(days.map((d) => ledger.entry(this.recordIds[i]!, d)));
        const found = entries.filter((e): e is LedgerEntry => e !== null).map((e) => e.status);
        statuses[i] = found.includes(LEDGER_STATUS.DONE) ? LEDGER_STATUS.DONE : found.includes(LEDGER_STATUS.DEAD) ? LEDGER_STATUS.DEAD : null;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, this.recordIds.length) }, worker));
    const done = statuses.filter((s) => s === LEDGER_STATUS.DONE).length;
    const dead = statuses.filter((s) => s === LEDGER_STATUS.DEAD).length;
    return { done, dead, open: this.recordIds.length - done - dead };
  }

  /**
   * Records answered ok and calls that failed, from the provider's own call
   * record: the ledger's day counters only move when a batch ends, and an
   * adaptive batch can hold a minute of calls. (The worker's ledger guard marks
   * a record done right after its ok answer, so the two agree.)
   */
  private callCounts(): { done: number; failed: number } {
    const calls = this.pipeline.calls;
    for (; this.callsSeen < calls.length; this.callsSeen++) {
      const c = calls[this.callsSeen]!;
      if (c.outcome === "ok") this.answered.add(c.recordId);
      else this.failedCalls++;
    }
    return { done: this.answered.size, failed: this.failedCalls };
  }

  private touchDay(now = this.clock.now()): void {
    this.days.add(providerDay(this.plan.provider.timezone, now));
  }
}
