/**
 * The re-arm schedule. In a short-lived function the breaker and the pause
 * live in the ledger with timestamps, not in timers: every tick reads them,
 * asks the gate (gate.ts) and decides. Only one invocation gets to probe: the
 * probe is claimed by the conditional write of the half-open state.
 *
 *   provider disabled in the catalog  → keep the mapping disabled
 *   gate: operator or auth pause      → keep the mapping disabled until an operator resumes
 *   paused, gate still closed for it  → keep the mapping disabled
 *   paused, gate open (or only the breaker closes it) → clear the pause, resume at the
 *                                        saved mapping batch size (disabled if the breaker is open)
 *   gate: window closed               → save the pause, disable the mapping
 *   gate: breaker open, probe due     → enable at the half-open mapping batch size
 *   otherwise                         → reconcile the mapping with the state
 *
 * A pipeline held for an hour or more (paused, or its breaker open) has its
 * mapping enabled once an hour: the batches it delivers are handed back, but
 * records the stream is about to drop are given up as dead with their payload
 * first, instead of expiring unseen (see expiry.ts).
 *
 * Reconciling reads the mapping and changes it only where it differs from the
 * state. A batch saves its new size before it updates the mapping, so a tick
 * that read the state just before that save would write the older size over
 * the new one, and the controller, believing its size applied, would not ask
 * again: the state is read once more before a correction, and a newer version
 * means its writer is about to apply it.
 */
import { strategyOf } from "../controller";
import { BREAKER } from "../controller/types";
import { windowStatus } from "../windows/clock";
import { byWindow, heldForOperator } from "../windows/closed-because";
import type { Provider } from "../catalog/provider";
import { gate } from "./gate";
import { heldOffMs, mappingChangeFor, mappingFor, mappingShows } from "./mapping-actions";
import { loadPipeline, savePipeline, type Pipeline } from "./pipeline-state";
import type { LedgerPort, MappingChange } from "./ports";
import type { VentilatorDeps } from "./batch";
import { emfLine } from "./telemetry";
import { SWEEP_INTERVAL_MS } from "./expiry";

export type TickOutcome =
  | "disabled"
  | "operator-paused"
  | "auth-paused"
  | "resumed"
  | "still-paused"
  | "probe"
  | "probe-claimed-elsewhere"
  | "breaker-waiting"
  | "paused-for-window"
  | "reconciled"
  | "idle";

/** Versions a correction re-reads before leaving it to the next tick (each newer one had a writer of its own). */
const MAX_RECONCILE_READS = 3;

/** The change that brings the mapping in line with the state, or null when it is (or a change is still being applied). */
async function drift(deps: VentilatorDeps, ledger: LedgerPort, first: Pipeline, now: number): Promise<MappingChange | null> {
  const view = await deps.mapping.get();
  let pipeline = first;
  for (let read = 0; read < MAX_RECONCILE_READS; read++) {
    const wanted = mappingFor(deps.provider, pipeline);
    if (mappingShows(view, wanted) !== false) return null;
    const again = await loadPipeline(ledger, deps.provider, now);
    if (again.version === pipeline.version) return wanted;
    pipeline = again;
  }
  return null;
}

export async function onSchedule(deps: VentilatorDeps): Promise<{ outcome: TickOutcome }> {
  const { provider, clock, mapping } = deps;
  const ledger = deps.openLedger();
  const now = clock.now();
  const pipeline = await loadPipeline(ledger, provider, now);
  const g = gate(provider, pipeline.pause, pipeline.controller, now);
  const breaker = pipeline.controller.breaker;
  let outcome: TickOutcome = "idle";
  let change: MappingChange | null = null;

  const pause = pipeline.pause;
  if (!provider.enabled) {
    // Declared but not migrated yet: the catalog keeps the mapping off whatever the ledger says.
    outcome = "disabled";
    change = { enabled: false };
  } else if (!g.open && heldForOperator(g.reason)) {
    outcome = g.reason === "operator" ? "operator-paused" : "auth-paused";
    change = { enabled: false };
  } else if (pause) {
    // The pause's own cause (a window, a spent day) is over once the gate is open or only the breaker closes it.
    const canResume = g.open || g.reason === "breaker-open";
    if (!canResume) {
      outcome = "still-paused";
      change = { enabled: false };
    } else {
      const { saved } = await savePipeline(ledger, provider, now, pipeline, (current) =>
        current.pause === null || heldForOperator(current.pause.reason) ? null : { controller: current.controller, pause: null },
      );
      outcome = saved ? "resumed" : "still-paused";
      if (saved) {
        change =
          breaker.status === BREAKER.OPEN
            ? { enabled: false }
            : { enabled: true, batchSize: breaker.status === BREAKER.HALF_OPEN ? pipeline.controller.mappingBatchSize : (pause.resumeMappingBatchSize ?? pipeline.controller.mappingBatchSize) };
      }
    }
  } else if (!g.open && byWindow(g.reason)) {
    const reason = g.reason;
    const { saved } = await savePipeline(ledger, provider, now, pipeline, (current) =>
      current.pause ? null : { controller: current.controller, pause: { reason, since: now, resumeMappingBatchSize: current.controller.mappingBatchSize } },
    );
    outcome = "paused-for-window";
    if (saved) change = { enabled: false };
  } else if (!g.open && g.reason === "breaker-open") {
    const decision = strategyOf(provider).onSchedule(pipeline.controller, provider, now);
    if (decision.action.type !== "probe") {
      outcome = "breaker-waiting";
      change = { enabled: false };
    } else {
      // The conditional write is the probe's claim: of several ticks racing, one saves half-open.
      const { saved } = await savePipeline(ledger, provider, now, pipeline, (current) =>
        current.version === pipeline.version ? { controller: decision.state, pause: current.pause } : null,
      );
      outcome = saved ? "probe" : "probe-claimed-elsewhere";
      if (saved) change = mappingChangeFor(decision.action);
    }
  } else {
    outcome = "reconciled";
    change = await drift(deps, ledger, pipeline, now);
  }

  // Held since when: a pause that is still on after this tick, or an open breaker this tick did not probe.
  const stillPaused = outcome === "operator-paused" || outcome === "auth-paused" || outcome === "still-paused";
  const heldSince = stillPaused ? pause!.since : breaker.status === BREAKER.OPEN && outcome === "breaker-waiting" ? breaker.openedAt : null;
  const sweepDue = provider.enabled && heldSince !== null && now - heldSince >= SWEEP_INTERVAL_MS && (pipeline.sweptAt === null || now - pipeline.sweptAt >= SWEEP_INTERVAL_MS);
  let swept = false;
  if (sweepDue) {
    // One sweeper per interval: the conditional write decides among racing ticks.
    const { saved } = await savePipeline(ledger, provider, now, pipeline, (current) =>
      current.sweptAt === pipeline.sweptAt ? { controller: current.controller, pause: current.pause, sweptAt: now } : null,
    );
    if (saved) {
      swept = true;
      change = { enabled: true };
    }
  }

  const result = change ? await mapping.update(change) : null;
  deps.log(
    emfLine(
      deps.metricsNamespace,
      provider.id,
      now,
      {
        BreakerOpen: breaker.status === BREAKER.OPEN && outcome !== "probe" ? 1 : 0,
        Limit: pipeline.controller.limit,
        // A held-off mapping sends no iterator age: this is what the held-off alarm reads instead.
        HeldOffMs: outcome === "probe" || outcome === "resumed" ? 0 : heldOffMs(provider, pipeline, now),
        AuthFailed: outcome === "auth-paused" ? 1 : 0,
      },
      {
        message: "schedule",
        outcome,
        pause: pause?.reason ?? null,
        window: windowReport(provider, now),
        mappingChange: change,
        mappingApplied: result?.applied ?? null,
        ...(swept ? { expirySweep: true } : {}),
      },
    ),
  );
  return { outcome };
}

function windowReport(provider: Provider, now: number): string {
  const window = windowStatus(provider, now);
  return window.open ? "open" : window.reason;
}
