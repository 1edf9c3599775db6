/** In-memory ports for the ventilator's unit tests: the real Ledger on the memory store, a scripted worker and mapping. */
import { strategyOf } from "../../runtime/controller/registry";
import { emptyLevel } from "../../runtime/controller/load-latency";
import type { ControllerState } from "../../runtime/controller/types";
import type { Provider } from "../../runtime/catalog/provider";
import type { ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { Ledger, ledgerSettings } from "../../runtime/ledger/ledger";
import { MemoryLedgerStore } from "../../runtime/ledger/memory-store";
import type { InvocationContext, VentilatorDeps } from "../../runtime/ventilator/batch";
import type { InvokeResult, MappingChange, MappingControl, MappingView } from "../../runtime/ventilator/ports";
import type { KinesisBatchEvent, StreamRecord } from "../../runtime/ventilator/records";
import type { WorkerRequest } from "../../runtime/workers/contract";

export const T0 = Date.UTC(2097, 0, 7, 12, 0, 0); // a Monday, in the future so nothing has expired

export function provider(overrides: Partial<ProviderInput> = {}): Provider {
  return validateProvider({
    id: "unit",
    maxConcurrency: 4,
    maxFanOut: 4,
    latencyThresholdMs: 1_000,
    errorRateThreshold: 0.5,
    maxAttempts: 3,
    worker: { module: "chaos", timeoutSeconds: 10 },
    ...overrides,
  });
}

export class FakeClock {
  constructor(public t = T0) {}
  now = (): number => this.t;
}

export class FakeMapping implements MappingControl {
  view: MappingView = { uuid: "m-1", batchSize: 4, state: "Enabled" };
  updates: MappingChange[] = [];
  refuse = false;
  async get(): Promise<MappingView> {
    return this.view;
  }
  async update(change: MappingChange) {
    this.updates.push(change);
    if (this.refuse) return { applied: false, view: this.view, reason: "rate-limited" };
    this.view = {
      ...this.view,
      ...(change.batchSize !== undefined ? { batchSize: change.batchSize } : {}),
      ...(change.enabled !== undefined ? { state: change.enabled ? ("Enabled" as const) : ("Disabled" as const) } : {}),
    };
    return { applied: true, view: this.view };
  }
}

export type Script = (request: WorkerRequest) => Omit<InvokeResult, "latencyMs"> & { latencyMs?: number };

/** Calls the script; tracks calls in flight so tests can see the fan-out limit. */
export class FakeWorker {
  calls: WorkerRequest[] = [];
  inFlight = 0;
  peak = 0;
  constructor(
    public script: Script = () => ({ outcome: "ok" }),
    private readonly clock?: FakeClock,
  ) {}
  async invoke(request: WorkerRequest): Promise<InvokeResult> {
    this.calls.push(request);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise((r) => setImmediate(r));
    const result = this.script(request);
    if (this.clock) this.clock.t += result.latencyMs ?? 10;
    this.inFlight--;
    return { latencyMs: 10, ...result };
  }
}

export interface Harness {
  deps: VentilatorDeps;
  store: MemoryLedgerStore;
  clock: FakeClock;
  mapping: FakeMapping;
  worker: FakeWorker;
  logs: Record<string, unknown>[];
  ledger(): Ledger;
}

export function harness(p: Provider, script?: Script): Harness {
  const store = new MemoryLedgerStore();
  const clock = new FakeClock();
  const mapping = new FakeMapping();
  const worker = new FakeWorker(script);
  const logs: Record<string, unknown>[] = [];
  const ledger = () => new Ledger(store, ledgerSettings(p));
  return {
    deps: { provider: p, openLedger: ledger, invoker: worker, mapping, clock, log: (l) => logs.push(l), metricsNamespace: "Test", sleep: async () => undefined },
    store,
    clock,
    mapping,
    worker,
    logs,
    ledger,
  };
}

let sequence = 0;

export function kinesisEvent(records: (StreamRecord | string)[]): KinesisBatchEvent {
  return {
    Records: records.map((r) => ({
      eventSource: "aws:kinesis",
      kinesis: {
        data: Buffer.from(typeof r === "string" ? r : JSON.stringify(r)).toString("base64"),
        sequenceNumber: String(++sequence).padStart(20, "0"),
        partitionKey: "k",
      },
    })),
  };
}

export function context(remainingMs = 600_000): InvocationContext {
  return { getRemainingTimeInMillis: () => remainingMs };
}

export const scheduled = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

/**
 * A pipeline whose controller is past the adaptive warm-up (which runs a fresh
 * pipeline at half its fan-out to measure its latency at low load), so a test
 * starts at the catalog's initialFanOut. Saves it as the ledger's first state.
 */
export async function pastWarmUp(h: Harness, p: Provider, extra: Partial<ControllerState> = {}): Promise<ControllerState> {
  const initial = strategyOf(p).initial(p, T0);
  const controller: ControllerState = {
    ...initial,
    limit: p.initialFanOut,
    ...(initial.loadLatency ? { loadLatency: { current: emptyLevel(p.initialFanOut), nextDipAt: Number.MAX_SAFE_INTEGER } } : {}),
    ...extra,
  };
  await h.ledger().savePipeline({ controller, pause: null, updatedAt: T0 }, null);
  return controller;
}
