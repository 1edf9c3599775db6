/**
 * The ledger of one provider for one invocation: four parts over the same
 * store port, each with its rules and their formulas in its own header:
 *   records       claims and transitions: at most one fetch per provider day (record-ledger.ts)
 *   dead, kept    dead records with their payload; fetched bodies waiting to land
 *   pipeline      the controller's and pause state, one versioned item (pipeline-store.ts)
 *   counters      the day's reserved calls and counts (day-counters.ts)
 *   audit         operator actions (audit-log.ts)
 * The store (DynamoDB, memory) only stores; every decision is taken in these
 * parts, and every decision that races with another invocation is one
 * conditional write. Every `now` is epoch milliseconds from the caller's
 * injected clock; `day` is the provider-local day (YYYY-MM-DD) the caller computed.
 *
 * One Ledger instance per invocation: its remembered claims are that
 * invocation's (a Lambda container reuses it across sequential invocations,
 * which is fine; the simulator gives each concurrent ventilator its own).
 */
import type { Provider } from "../catalog/provider";
import { AuditLog } from "./audit-log";
import { DayCounters } from "./day-counters";
import { DeadRecords } from "./dead-records";
import { KeptLandings } from "./kept-landings";
import { PipelineStore } from "./pipeline-store";
import { RecordLedger } from "./record-ledger";
import { LedgerScope, type LedgerSettings } from "./scope";
import type { LedgerStore } from "./store";

export { MAX_DEAD_LISTED } from "./dead-records";
export { BACKOFF_CAP_MS, LEASE_EXPIRED_OUTCOME_UNKNOWN, RETRY_AFTER_CAP_MS } from "./record-ledger";
export type { LedgerSettings } from "./scope";

/** The ledger settings of a catalog provider (catalog defaults already filled). */
export function ledgerSettings(provider: Provider): Required<LedgerSettings> {
  return {
    providerId: provider.id,
    maxAttempts: provider.maxAttempts,
    leaseSeconds: provider.ledger.leaseSeconds,
    ttlDays: provider.ledger.ttlDays,
    timezone: provider.timezone,
    retryBackoffSeconds: provider.ledger.retryBackoffSeconds,
  };
}

export class Ledger {
  readonly settings: LedgerScope["settings"];
  readonly records: RecordLedger;
  readonly dead: DeadRecords;
  readonly kept: KeptLandings;
  readonly pipeline: PipelineStore;
  readonly counters: DayCounters;
  readonly audit: AuditLog;

  /** `claimIds`: unique ids for this instance's claims. @default a random UUID prefix and a counter */
  constructor(store: LedgerStore, settings: LedgerSettings, claimIds?: () => string) {
    const scope = new LedgerScope(store, settings, claimIds);
    this.settings = scope.settings;
    this.dead = new DeadRecords(scope);
    this.records = new RecordLedger(scope, this.dead);
    this.kept = new KeptLandings(scope);
    this.pipeline = new PipelineStore(scope);
    this.counters = new DayCounters(scope);
    this.audit = new AuditLog(scope);
  }

  // The flat API the ports and the tools use; each call is its part's.
  claim: RecordLedger["claim"] = (...a) => this.records.claim(...a);
  claimMany: RecordLedger["claimMany"] = (...a) => this.records.claimMany(...a);
  complete: RecordLedger["complete"] = (...a) => this.records.complete(...a);
  fail: RecordLedger["fail"] = (...a) => this.records.fail(...a);
  backoffMs: RecordLedger["backoffMs"] = (...a) => this.records.backoffMs(...a);
  release: RecordLedger["release"] = (...a) => this.records.release(...a);
  entry: RecordLedger["entry"] = (...a) => this.records.entry(...a);
  markDead: DeadRecords["markDead"] = (...a) => this.dead.markDead(...a);
  listDead: DeadRecords["listDead"] = (...a) => this.dead.listDead(...a);
  redrive: DeadRecords["redrive"] = (...a) => this.dead.redrive(...a);
  keepForLanding: KeptLandings["keepForLanding"] = (...a) => this.kept.keepForLanding(...a);
  claimLanding: KeptLandings["claimLanding"] = (...a) => this.kept.claimLanding(...a);
  keptBody: KeptLandings["keptBody"] = (...a) => this.kept.keptBody(...a);
  loadPipeline: PipelineStore["loadPipeline"] = (...a) => this.pipeline.loadPipeline(...a);
  savePipeline: PipelineStore["savePipeline"] = (...a) => this.pipeline.savePipeline(...a);
  recordOperatorAction: AuditLog["recordOperatorAction"] = (...a) => this.audit.recordOperatorAction(...a);
  listOperatorActions: AuditLog["listOperatorActions"] = (...a) => this.audit.listOperatorActions(...a);
  reserveRequests: DayCounters["reserveRequests"] = (...a) => this.counters.reserveRequests(...a);
  refundRequests: DayCounters["refundRequests"] = (...a) => this.counters.refundRequests(...a);
  addDayCounts: DayCounters["addDayCounts"] = (...a) => this.counters.addDayCounts(...a);
  dayStats: DayCounters["dayStats"] = (...a) => this.counters.dayStats(...a);
}
