/**
 * One run of the fault search: the real ventilator (processBatch and the
 * re-arm tick), the real Ledger on the chosen store, the real worker guard
 * and the real mapping adapter, wired to the models of Lambda, the stream, the
 * control plane, the provider and S3, all in virtual time, and driven by a
 * generated sequence of steps (records, time, faults, kills, a revoked
 * credential, midnight, a closing window).
 */
import { DateTime } from "luxon";
import { EventSourceMappingControl } from "../../../runtime/aws/mapping-control";
import { planResume } from "../../../cli/operator-plan";
import type { Provider } from "../../../runtime/catalog/provider";
import { ventilatorTimeoutSeconds } from "../../../runtime/catalog/timing";
import { Ledger, ledgerSettings } from "../../../runtime/ledger/ledger";
import type { LedgerStore } from "../../../runtime/ledger/store";
import { processBatch, type VentilatorDeps } from "../../../runtime/ventilator/batch";
import { onSchedule } from "../../../runtime/ventilator/schedule";
import { windowStatus } from "../../../runtime/windows/clock";
import { Faults, Kill, type FaultKind } from "./faults";
import { ControlPlane, WorkerFunction } from "./lambda";
import { VirtualLoop } from "./loop";
import { LandingModel, ProviderService } from "./provider";
import { Rng } from "./rng";
import { ClaimBook, FaultyStore } from "./store";
import { StreamModel, type Lane } from "./stream";

export type Step =
  | { kind: "enqueue"; ids: number[]; lane: number; stamped: boolean; adHoc: boolean }
  | { kind: "advance"; ms: number }
  | { kind: "fault"; fault: FaultKind; count: number }
  /** Kills the ventilator execution running on a lane (a crash), if one runs. */
  | { kind: "kill"; lane: number }
  /** The provider starts refusing the credential: a 401 storm. */
  | { kind: "revoke" }
  /** The credential is fixed and an operator runs `sluice resume`. */
  | { kind: "fix" }
  | { kind: "to-midnight" }
  | { kind: "to-close" };

export interface RunSpec {
  provider: Provider;
  start: number;
  seed: number;
  /** Ids the steps pick from (few, so duplicates happen). */
  idPool: number;
  /** Ids the provider answers 404 for. */
  missing: number[];
}

/** The re-arm schedule's interval while the steps run (short, so breaker probes happen), and in the drain. */
const TICK_MS = 30_000;
const DRAIN_TICK_MS = 120_000;
/** The drain stops this long before a waiting record would outlive the stream's retention. */
const DRAIN_EXPIRY_MARGIN_MS = 3_600_000;
const LANE_GAP_MS = 50;
/** Errors a batch may fail with; anything else thrown out of processBatch is a bug. */
const EXPECTED_ERRORS = new Set(["LedgerUnavailableError", "MappingError"]);

interface Container {
  kill: Kill;
  deadline: number;
  mapping: EventSourceMappingControl;
}

export function recordId(n: number): string {
  return `rec-${n}`;
}

export function payloadOf(id: string): unknown {
  return { v: id };
}

export class World {
  readonly loop: VirtualLoop;
  readonly faults = new Faults();
  readonly rng: Rng;
  readonly claims = new ClaimBook();
  readonly service: ProviderService;
  readonly landing: LandingModel;
  readonly worker: WorkerFunction;
  readonly plane: ControlPlane;
  readonly stream: StreamModel;
  readonly store: FaultyStore;
  /** Bugs seen while running (unexpected errors), besides the invariants. */
  readonly problems: string[] = [];
  /** The ventilator's log lines, kept when `trace` is on (for replaying a counterexample). */
  readonly trace: Record<string, unknown>[] | null = process.env.FAULT_SEARCH_TRACE ? [] : null;
  readonly provider: Provider;
  private readonly idle: Container[] = [];
  private readonly running = new Map<number, Kill>();
  private serial = 0;
  private stopped = false;

  constructor(
    readonly spec: RunSpec,
    base: LedgerStore,
    real: boolean,
  ) {
    this.provider = spec.provider;
    this.loop = new VirtualLoop(spec.start, real);
    this.rng = new Rng(spec.seed);
    this.store = new FaultyStore(base, { loop: this.loop, faults: this.faults, rng: this.rng, claims: this.claims, real });
    this.service = new ProviderService(this.provider, this.loop, this.faults, this.rng);
    for (const m of spec.missing) this.service.missing.add(recordId(m));
    this.landing = new LandingModel(this.faults);
    this.worker = new WorkerFunction({ provider: this.provider, loop: this.loop, faults: this.faults, rng: this.rng, store: this.store, service: this.service, landing: this.landing, claims: this.claims });
    this.plane = new ControlPlane(this.loop, this.faults, this.rng, { batchSize: this.provider.initialFanOut, enabled: true });
    this.stream = new StreamModel(this.provider.concurrentBatches);
    this.loop.at(spec.start + TICK_MS, () => this.tick());
    this.plane.onApplied = () => this.stream.lanes.forEach((l) => this.wake(l));
  }

  stop(): void {
    this.stopped = true;
  }

  get now(): number {
    return this.loop.now;
  }

  async step(s: Step): Promise<void> {
    const now = this.loop.now;
    switch (s.kind) {
      case "enqueue": {
        const lane = this.stream.lanes.length > 0 ? s.lane % this.stream.lanes.length : 0;
        for (const n of s.ids) {
          const id = recordId(n % this.spec.idPool);
          this.stream.put({ lane, id, payload: payloadOf(id), adHoc: s.adHoc, arrivedAt: now, ...(s.stamped ? { enqueuedAt: now } : {}) });
        }
        this.wake(this.stream.lanes[lane]!);
        return this.loop.runUntil(now);
      }
      case "advance":
        return this.loop.runUntil(now + s.ms);
      case "fault":
        this.faults.arm(s.fault, s.count);
        return;
      case "kill":
        this.running.get(s.lane % Math.max(1, this.stream.lanes.length))?.kill();
        return this.loop.runUntil(now);
      case "revoke":
        this.service.revoked = true;
        return;
      case "fix":
        this.service.revoked = false;
        return this.loop.drive(this.operatorResume());
      case "to-midnight": {
        const midnight = DateTime.fromMillis(now, { zone: this.provider.timezone }).endOf("day").toMillis() + 1;
        return this.loop.runUntil(Math.max(now, midnight - 30_000));
      }
      case "to-close": {
        const w = windowStatus(this.provider, now);
        if (w.open && w.closesAt !== null) return this.loop.runUntil(Math.max(now, w.closesAt - 30_000));
        return;
      }
    }
  }

  /**
   * Faults off, the credential fixed and resumed: runs until every lane is consumed and idle, or
   * `limitMs` passes, or a record still waiting would come within DRAIN_EXPIRY_MARGIN_MS of the
   * stream's retention (what is still in the stream then is "retriable within retention").
   */
  async drain(limitMs: number): Promise<void> {
    this.faults.enabled = false;
    this.faults.clear();
    if (this.service.revoked) await this.step({ kind: "fix" });
    const until = this.loop.now + limitMs;
    const retentionMs = this.provider.streamRetentionHours * 3_600_000;
    for (;;) {
      const waiting = this.stream.lanes.flatMap((l) => l.records.slice(l.checkpoint));
      const expiry = waiting.length === 0 ? Infinity : Math.min(...waiting.map((r) => r.arrivedAt)) + retentionMs - DRAIN_EXPIRY_MARGIN_MS;
      const next = Math.min(until, expiry, this.loop.now + 10 * 60_000);
      if (next <= this.loop.now) break;
      await this.loop.drive(this.operatorResume());
      await this.loop.runUntil(next);
      const quiet = this.stream.lanes.every((l) => !l.busy && this.stream.pending(l) === 0) && this.worker.inFlight === 0;
      if (quiet) break;
    }
  }

  private wake(lane: Lane): void {
    if (lane.waking || lane.busy || this.stopped) return;
    lane.waking = true;
    this.loop.at(this.loop.now + LANE_GAP_MS, () => {
      lane.waking = false;
      void this.poll(lane);
    });
  }

  private container(deadline: number): Container {
    const c = this.idle.pop();
    if (c) {
      c.kill = new Kill();
      c.deadline = deadline;
      return c;
    }
    const made: Container = { kill: new Kill(), deadline, mapping: undefined as unknown as EventSourceMappingControl };
    made.mapping = new EventSourceMappingControl({
      client: this.plane.client(() => made.kill),
      uuid: this.plane.uuid,
      functionName: "ventilator",
      eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/fault-search",
      clock: this.loop.clock,
      sleep: (ms) => made.kill.guard(this.loop.sleep(ms)),
      random: () => this.rng.next(),
      deadlineMs: () => made.deadline - this.loop.now,
    });
    return made;
  }

  private deps(owner: string, c: Container): VentilatorDeps {
    const settings = ledgerSettings(this.provider);
    let claims = 0;
    return {
      provider: this.provider,
      openLedger: () => new Ledger(this.store.view(owner, c.kill), settings, () => `${owner}/${++claims}`),
      invoker: { invoke: (request, timeoutMs) => this.worker.invoke(request, timeoutMs, owner, c.kill) },
      mapping: c.mapping,
      clock: this.loop.clock,
      log: (line) => this.trace?.push({ t: new Date(this.loop.now).toISOString(), owner, ...line }),
      metricsNamespace: "FaultSearch",
      sleep: (ms) => c.kill.guard(this.loop.sleep(ms)),
    };
  }

  /** Runs `body` as one Lambda execution: killed at its deadline, or by a step. */
  private async execute<T>(owner: string, lane: number | null, body: (deps: VentilatorDeps, remaining: () => number) => Promise<T>): Promise<{ ok: T } | { failed: unknown } | { killed: true }> {
    const deadline = this.loop.now + ventilatorTimeoutSeconds(this.provider) * 1000;
    const c = this.container(deadline);
    const kill = c.kill;
    if (lane !== null) this.running.set(lane, kill);
    // This execution's kill: the container is reused by later executions.
    this.loop.at(deadline, () => kill.kill());
    const outcome = await new Promise<{ ok: T } | { failed: unknown } | { killed: true }>((resolve) => {
      c.kill.whenKilled(() => resolve({ killed: true }));
      body(this.deps(owner, c), () => deadline - this.loop.now).then(
        (ok) => {
          if (!c.kill.killed) resolve({ ok });
        },
        (failed: unknown) => {
          if (!c.kill.killed) resolve({ failed });
        },
      );
    });
    if (lane !== null && this.running.get(lane) === c.kill) this.running.delete(lane);
    this.claims.ended(owner, "killed" in outcome);
    // A killed execution's container is gone with it; only a finished one is reused.
    if (!("killed" in outcome)) this.idle.push(c);
    if (!("ok" in outcome)) this.trace?.push({ t: new Date(this.loop.now).toISOString(), owner, outcome: "killed" in outcome ? "killed" : String((outcome.failed as Error)?.stack ?? outcome.failed) });
    if ("failed" in outcome) {
      const name = (outcome.failed as Error)?.name ?? typeof outcome.failed;
      if (!EXPECTED_ERRORS.has(name)) this.problems.push(`${owner} failed with an unexpected ${name}: ${(outcome.failed as Error)?.message ?? String(outcome.failed)}`);
    }
    return outcome;
  }

  private async poll(lane: Lane): Promise<void> {
    if (lane.busy || this.stopped) return;
    this.trace?.push({ t: new Date(this.loop.now).toISOString(), poll: this.stream.lanes.indexOf(lane), pending: this.stream.pending(lane), effective: { ...this.plane.effective } });
    this.expire(lane);
    if (this.stream.pending(lane) === 0 || !this.plane.effective.enabled) return;
    lane.busy = true;
    const index = this.stream.lanes.indexOf(lane);
    const batch = lane.records.slice(lane.checkpoint, lane.checkpoint + this.plane.effective.batchSize);
    const owner = `ventilator:${++this.serial}`;
    const outcome = await this.execute(owner, index, (deps, remaining) => processBatch(this.stream.event(batch), { getRemainingTimeInMillis: remaining }, deps));
    const now = this.loop.now;
    if ("ok" in outcome) {
      const failed = outcome.ok.batchItemFailures.map((f) => batch.findIndex((r) => r.seq === f.itemIdentifier));
      if (failed.some((i) => i < 0)) this.problems.push(`${owner} reported an item failure that is not in its batch`);
      if (failed.length === 0) {
        this.stream.consume(lane, batch.length, now);
        lane.retries = 0;
      } else {
        this.stream.consume(lane, Math.min(...failed), now);
        this.retried(lane, batch.length - Math.min(...failed), now);
      }
    } else {
      this.retried(lane, batch.length, now);
    }
    lane.busy = false;
    this.wake(lane);
  }

  /** A retry of the lane's first `count` records; past MaximumRetryAttempts they are given up. */
  private retried(lane: Lane, count: number, now: number): void {
    lane.retries++;
    if (lane.retries > 10_000) {
      this.stream.consume(lane, count, now, "MaximumRetryAttempts");
      lane.retries = 0;
    }
  }

  /** Records older than the stream's retention are gone. */
  private expire(lane: Lane): void {
    const retentionMs = this.provider.streamRetentionHours * 3_600_000;
    while (lane.checkpoint < lane.records.length && this.loop.now - lane.records[lane.checkpoint]!.arrivedAt > retentionMs) {
      this.stream.consume(lane, 1, this.loop.now, "retention");
    }
  }

  private tick(): void {
    if (this.stopped) return;
    void this.execute(`tick:${++this.serial}`, null, (deps) => onSchedule(deps));
    this.loop.at(this.loop.now + (this.faults.enabled ? TICK_MS : DRAIN_TICK_MS), () => this.tick());
  }

  /** What `sluice resume` does, for an auth pause: plan, save, enable the mapping. */
  private async operatorResume(): Promise<void> {
    const kill = new Kill();
    const ledger = new Ledger(this.store.view("operator", kill), ledgerSettings(this.provider));
    try {
      const loaded = await ledger.loadPipeline();
      if (loaded?.state.pause?.reason !== "auth") return;
      const plan = planResume({ provider: this.provider, now: this.loop.now, loaded, by: "fault-search" });
      if (plan.kind !== "save") return;
      if (!(await ledger.savePipeline(plan.state, loaded.version))) return;
      if (plan.mapping) {
        const mapping = new EventSourceMappingControl({
          client: this.plane.client(() => kill),
          uuid: this.plane.uuid,
          functionName: "ventilator",
          eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/fault-search",
          clock: this.loop.clock,
          sleep: this.loop.sleep,
          minUpdateIntervalMs: 0,
        });
        await mapping.update(plan.mapping).catch(() => undefined);
      }
    } catch {
      // The operator sees the error and runs it again: the drain does.
    } finally {
      this.claims.ended("operator", false);
    }
  }
}
