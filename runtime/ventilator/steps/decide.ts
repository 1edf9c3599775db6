/**
 * Step 3 of a batch: feed its reports to the controller, save the new state
 * (one conditional write: parallel batches' saves are replayed over, see
 * waves.ts), then apply the action to the mapping. A mapping update that could
 * not be made is taken back out of the saved state, so a later batch asks
 * again; the batch never fails for it (its calls are done).
 */
import type { ControllerAction, ControllerState } from "../../controller/types";
import { LedgerUnavailableError } from "../../ledger/errors";
import { mappingChangeFor } from "../mapping-actions";
import { savePipeline, type Pipeline } from "../pipeline-state";
import type { LedgerPort, MappingChange, MappingControl, PauseSnapshot } from "../ports";
import { replay, type TimedReport } from "../waves";
import type { VentilatorDeps } from "./deps";

export interface Decided {
  controller: ControllerState;
  pause: PauseSnapshot | null;
  action: ControllerAction["type"];
  applied: boolean | null;
  pipeline: Pipeline;
}

/** A mapping update that cannot fail the batch: its calls are done, and the schedule reconciles the mapping. */
export async function updateMapping(mapping: MappingControl, change: MappingChange): Promise<{ applied: boolean; reason?: string }> {
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
export async function decide(
  deps: VentilatorDeps,
  ledger: LedgerPort,
  first: Pipeline,
  reports: readonly TimedReport[],
  dailyLimitReached: boolean,
  now: number,
): Promise<Decided> {
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

