/**
 * A controller state read back from the ledger. Whatever was saved, the
 * result is usable with today's catalog: missing, malformed or another
 * strategy's state (the catalog switched strategy) starts afresh; sizes are
 * clamped into [1, maxBatchSize] (the cap may have been lowered since).
 */
import { strategyOf } from "./registry";
import { controllerStateSchema } from "./state-schema";
import { clampLimit } from "./state";
import type { ControllerSettings, ControllerState } from "./types";

export function restoreState(saved: unknown, settings: ControllerSettings, now: number): ControllerState {
  const strategy = strategyOf(settings);
  const parsed = controllerStateSchema.safeParse(saved);
  if (!parsed.success || parsed.data.strategy !== strategy.name) return strategy.initial(settings, now);
  const state = parsed.data;
  const max = settings.maxBatchSize;
  return {
    ...state,
    limit: clampLimit(state.limit, max),
    appliedBatchSize: clampLimit(state.appliedBatchSize, max),
    lastGoodLimit: clampLimit(state.lastGoodLimit, max),
  };
}
