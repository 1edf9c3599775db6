/**
 * A controller state read back from the ledger. Whatever was saved, the
 * result is usable with today's catalog: missing, malformed or another
 * strategy's state (the catalog switched strategy) starts afresh; the limits
 * are clamped into [1, maxFanOut] (the cap may have been lowered since) and
 * the mapping's batch size into [1, MAX_MAPPING_BATCH_SIZE] (adaptive sizes it
 * in waves of the limit, so it may exceed the fan-out cap).
 */
import { strategyOf } from "./registry";
import { controllerStateSchema } from "./state-schema";
import { clampLimit } from "./state";
import { MAX_MAPPING_BATCH_SIZE } from "./mapping-update";
import type { ControllerSettings, ControllerState } from "./types";

export function restoreState(saved: unknown, settings: ControllerSettings, now: number): ControllerState {
  const strategy = strategyOf(settings);
  const parsed = controllerStateSchema.safeParse(renamed(saved));
  if (!parsed.success || parsed.data.strategy !== strategy.name) return strategy.initial(settings, now);
  const state = parsed.data;
  const max = settings.maxFanOut;
  return {
    ...state,
    limit: clampLimit(state.limit, max),
    mappingBatchSize: clampLimit(state.mappingBatchSize, MAX_MAPPING_BATCH_SIZE),
    lastGoodLimit: clampLimit(state.lastGoodLimit, max),
  };
}

/** States saved before the vocabulary split called the mapping's batch size `appliedBatchSize`. */
function renamed(saved: unknown): unknown {
  if (saved === null || typeof saved !== "object" || !("appliedBatchSize" in saved) || "mappingBatchSize" in saved) return saved;
  const { appliedBatchSize, ...rest } = saved as Record<string, unknown>;
  return { ...rest, mappingBatchSize: appliedBatchSize };
}
