/**
 * The pipeline item (controller state + pause) read once per invocation and
 * written back with optimistic concurrency: parallel batches (shards ×
 * parallelization) and the schedule may race, so a lost race re-reads and
 * re-applies the change instead of overwriting the winner's.
 */
import type { Provider } from "../catalog/provider";
import { restoreState } from "../controller";
import type { ControllerState } from "../controller/types";
import type { LedgerPort, PauseSnapshot, PipelineSnapshot } from "./ports";

export interface Pipeline {
  controller: ControllerState;
  pause: PauseSnapshot | null;
  /** Version read, null when the item does not exist yet. */
  version: number | null;
  /** The schedule's last expiry sweep (see expiry.ts), null when none. */
  sweptAt: number | null;
}

export async function loadPipeline(ledger: LedgerPort, provider: Provider, now: number): Promise<Pipeline> {
  const loaded = await ledger.loadPipeline();
  return {
    controller: restoreState(loaded?.state.controller, provider, now),
    pause: loaded?.state.pause ?? null,
    version: loaded?.version ?? null,
    sweptAt: loaded?.state.sweptAt ?? null,
  };
}

/** The change to make to a freshly read pipeline, or null to leave it as it is. */
export type PipelineChange = (current: Pipeline) => { controller: ControllerState; pause: PauseSnapshot | null; sweptAt?: number } | null;

const MAX_RACES = 4;

/**
 * Applies `change` and saves it; on a lost race re-reads and re-applies.
 * Returns what was saved (or the current pipeline when nothing changed), and whether this call won.
 */
export async function savePipeline(
  ledger: LedgerPort,
  provider: Provider,
  now: number,
  first: Pipeline,
  change: PipelineChange,
): Promise<{ pipeline: Pipeline; saved: boolean }> {
  let current = first;
  for (let race = 0; race < MAX_RACES; race++) {
    const next = change(current);
    if (!next) return { pipeline: current, saved: false };
    const sweptAt = next.sweptAt ?? current.sweptAt;
    const snapshot: PipelineSnapshot = { controller: next.controller, pause: next.pause, updatedAt: now, ...(sweptAt !== null ? { sweptAt } : {}) };
    if (await ledger.savePipeline(snapshot, current.version)) {
      return { pipeline: { controller: next.controller, pause: next.pause, sweptAt, version: (current.version ?? 0) + 1 }, saved: true };
    }
    current = await loadPipeline(ledger, provider, now);
  }
  return { pipeline: current, saved: false };
}
