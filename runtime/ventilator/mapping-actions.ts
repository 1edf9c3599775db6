/** What each controller action, and each pipeline state, asks of the event source mapping. */
import type { ControllerAction } from "../controller/types";
import { BREAKER } from "../controller/types";
import type { Provider } from "../catalog/provider";
import type { Pipeline } from "./pipeline-state";
import type { MappingChange, MappingState, MappingView } from "./ports";

export function mappingChangeFor(action: ControllerAction): MappingChange | null {
  switch (action.type) {
    case "keep":
      return null;
    case "resize":
      return { batchSize: action.batchSize };
    case "open-breaker":
      return { enabled: false };
    case "probe":
      return { enabled: true, batchSize: action.batchSize };
    case "close":
      return { enabled: true, batchSize: action.batchSize };
  }
}

/** The mapping a pipeline state stands for: off while disabled, paused or broken, else at the controller's batch size. */
export function mappingFor(provider: Provider, pipeline: Pipeline): MappingChange {
  const { breaker, mappingBatchSize } = pipeline.controller;
  if (!provider.enabled || pipeline.pause !== null || breaker.status === BREAKER.OPEN) return { enabled: false };
  return { enabled: true, batchSize: mappingBatchSize };
}

/**
 * How long the pipeline has been held off, 0 while its mapping is meant to run:
 * since the pause began (any reason, an operator's included: records wait
 * either way), or since the breaker last opened. A provider disabled in the
 * catalog is not held off; it is not running on purpose.
 */
export function heldOffMs(provider: Pick<Provider, "enabled">, pipeline: Pick<Pipeline, "controller" | "pause">, now: number): number {
  if (!provider.enabled) return 0;
  const breaker = pipeline.controller.breaker;
  const since = pipeline.pause?.since ?? (breaker.status === BREAKER.OPEN ? breaker.openedAt : undefined);
  return since === undefined ? 0 : Math.max(0, now - since);
}

/** Enabled/Enabling count as enabled, Disabled/Disabling as disabled; the rest say nothing about it. */
export function enabledOf(state: MappingState): boolean | undefined {
  if (state === "Enabled" || state === "Enabling") return true;
  if (state === "Disabled" || state === "Disabling") return false;
  return undefined;
}

/**
 * Whether the mapping already shows `change`; undefined while it is Creating,
 * Updating or Deleting (someone's change is still being applied). A disabled
 * mapping's batch size does not matter until it is enabled again. While it is
 * Enabling, the batch size it shows is the one from before the change in
 * flight (GetEventSourceMapping shows old settings until an update lands).
 */
export function mappingShows(view: MappingView, change: MappingChange): boolean | undefined {
  const enabled = enabledOf(view.state);
  if (enabled === undefined) return undefined;
  if (change.enabled !== undefined && change.enabled !== enabled) return false;
  if (!enabled) return true;
  if (change.batchSize === undefined || change.batchSize === view.batchSize) return true;
  return view.state === "Enabling" ? undefined : false;
}
