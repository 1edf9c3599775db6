/**
 * What `sluice status` knows about one provider, from what it could read:
 * every read is a value, a missing resource (not deployed) or an error, and
 * the view says which, instead of failing the whole command. Pure: the
 * readings come from status.ts, the rendering is status-table.ts; the JSON
 * shape below is what `status --json` prints (documented in the operator guide).
 */
import type { Provider } from "../runtime/catalog/provider";
import { restoreState } from "../runtime/controller";
import { BREAKER } from "../runtime/controller/types";
import type { DayStats, OperatorAction, VersionedPipelineState } from "../runtime/ledger/types";
import type { MappingView } from "../runtime/ventilator/ports";
import { providerDay, windowStatus } from "../runtime/windows/clock";
import type { RecordCensus } from "./ledger-census";
import type { PipelineResources } from "./resources";
import { instantJson, type InstantJson } from "./time-text";

export type Read<T> = { value: T } | { missing: readonly string[] } | { error: string };

export interface ProviderReading {
  provider: Provider;
  /** null: the stack outputs do not list the provider. */
  resources: PipelineResources | null;
  mapping: Read<MappingView>;
  pipeline: Read<VersionedPipelineState | null>;
  today: Read<DayStats>;
  actions: Read<OperatorAction[]>;
  /** null: not asked for (no --scan). */
  census: Read<RecordCensus> | null;
}

export const DEPLOYMENT = { DEPLOYED: "deployed", PARTLY: "partly", NOT_DEPLOYED: "not-deployed" } as const;
export type Deployment = (typeof DEPLOYMENT)[keyof typeof DEPLOYMENT];

export interface ProviderStatus {
  id: string;
  /** The catalog's `enabled`. */
  enabled: boolean;
  timezone: string;
  strategy: string;
  /** deployed: every resource found; partly: some missing; not-deployed: nothing found (or not in the stack outputs). */
  deployment: Deployment;
  /** Resources not found ("stream sluice-dev-x", ...). */
  missing: string[];
  /** Reads that failed for another reason (unreachable endpoint, access denied, ...). */
  errors: string[];
  resources: { stream: string; table: string; ventilator: string } | null;
  mapping: { uuid: string; state: string; batchSize: number } | null;
  controller: { limit: number; mappingBatchSize: number; lastGoodLimit: number; maxFanOut: number; saved: boolean } | null;
  breaker:
    | { status: "closed" }
    | { status: "open"; trips: number; openedAt: InstantJson; nextProbeAt: InstantJson }
    | { status: "half-open"; trips: number; since: InstantJson; goodProbes: number }
    | null;
  pause: { reason: string; since: InstantJson; by: string | null; note: string | null } | null;
  window: { open: boolean; reason: string | null; nextChange: InstantJson | null };
  today: {
    day: string;
    done: number;
    failed: number;
    dead: number;
    /** Of done / failed / dead, the records requested ad hoc (`enqueue --ad-hoc`) rather than by the scheduler. */
    adHoc: { done: number; failed: number; dead: number };
    /** Calls reserved against the daily limit; counted only when the provider has one. */
    requests: number;
    dailyRequestLimit: number | null;
    /** requests / dailyRequestLimit, null without a limit. */
    dailyUsage: number | null;
    /** From --scan: records by origin and status; null without it. */
    records: RecordCensus | null;
  } | null;
  recentActions: { action: string; by: string; reason: string; at: InstantJson }[] | null;
}

export interface StatusReport {
  generatedAt: string;
  source: string;
  providers: ProviderStatus[];
}

function valueOf<T>(read: Read<T> | null): T | undefined {
  return read && "value" in read ? read.value : undefined;
}

export function buildStatus(reading: ProviderReading, now: number): ProviderStatus {
  const { provider } = reading;
  const tz = provider.timezone;
  const reads: (Read<unknown> | null)[] = [reading.mapping, reading.pipeline, reading.today, reading.actions, reading.census];
  const missing = [...new Set(reads.flatMap((r) => (r && "missing" in r ? r.missing : [])))];
  const errors = [...new Set(reads.flatMap((r) => (r && "error" in r ? [r.error] : [])))];

  const mapping = valueOf(reading.mapping);
  const loaded = valueOf(reading.pipeline);
  const pipelineRead = "value" in reading.pipeline;
  const controller = pipelineRead ? restoreState(loaded?.state.controller, provider, now) : undefined;
  const pause = loaded?.state.pause ?? null;
  const stats = valueOf(reading.today);
  const census = valueOf(reading.census);
  const actions = valueOf(reading.actions);
  const window = windowStatus(provider, now);
  const nextChange = window.open ? window.closesAt : window.opensAt;
  const limit = provider.dailyRequestLimit ?? null;

  let breaker: ProviderStatus["breaker"] = null;
  if (controller) {
    const b = controller.breaker;
    if (b.status === BREAKER.OPEN) breaker = { status: "open", trips: b.trips, openedAt: instantJson(tz, b.openedAt), nextProbeAt: instantJson(tz, b.nextProbeAt) };
    else if (b.status === BREAKER.HALF_OPEN) breaker = { status: "half-open", trips: b.trips, since: instantJson(tz, b.since), goodProbes: b.goodProbes };
    else breaker = { status: "closed" };
  }

  return {
    id: provider.id,
    enabled: provider.enabled,
    timezone: tz,
    strategy: provider.controller.strategy,
    deployment: deploymentOf(reading.resources !== null, missing.length, reads.some((r) => r !== null && "value" in r)),
    missing,
    errors,
    resources: reading.resources && { stream: reading.resources.stream, table: reading.resources.table, ventilator: reading.resources.ventilator },
    mapping: mapping ? { uuid: mapping.uuid, state: mapping.state, batchSize: mapping.batchSize } : null,
    controller: controller
      ? { limit: controller.limit, mappingBatchSize: controller.mappingBatchSize, lastGoodLimit: controller.lastGoodLimit, maxFanOut: provider.maxFanOut, saved: loaded !== null && loaded !== undefined }
      : null,
    breaker,
    pause: pause ? { reason: pause.reason, since: instantJson(tz, pause.since), by: pause.by ?? null, note: pause.note ?? null } : null,
    window: { open: window.open, reason: window.open ? null : window.reason, nextChange: nextChange === null ? null : instantJson(tz, nextChange) },
    today: stats
      ? {
          day: providerDay(tz, now),
          done: stats.done,
          failed: stats.failed,
          dead: stats.dead,
          adHoc: { done: stats.adHocDone, failed: stats.adHocFailed, dead: stats.adHocDead },
          requests: stats.requests,
          dailyRequestLimit: limit,
          dailyUsage: limit === null ? null : stats.requests / limit,
          records: census ?? null,
        }
      : null,
    recentActions: actions ? actions.map((a) => ({ action: a.action, by: a.by, reason: a.reason, at: instantJson(tz, a.at) })) : null,
  };
}

function deploymentOf(located: boolean, missing: number, anyFound: boolean): Deployment {
  if (!located) return DEPLOYMENT.NOT_DEPLOYED;
  if (missing === 0) return DEPLOYMENT.DEPLOYED;
  return anyFound ? DEPLOYMENT.PARTLY : DEPLOYMENT.NOT_DEPLOYED;
}
