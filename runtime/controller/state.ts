/**
 * Controller state basics shared by every strategy: the starting point and the
 * one clamp that keeps a limit inside [1, maxFanOut].
 */
import { SluiceError } from "../errors";
import type { LimitControllerConfig, StepControllerConfig } from "../catalog/schema";
import { BREAKER, type ControllerSettings, type ControllerState, type Decision } from "./types";

export function clampLimit(limit: number, maxFanOut: number): number {
  return Math.max(1, Math.min(maxFanOut, Math.floor(limit)));
}

/** limit = mappingBatchSize = lastGoodLimit = initialFanOut, breaker closed, nothing done yet. */
export function initialState(settings: ControllerSettings): ControllerState {
  const start = clampLimit(settings.initialFanOut, settings.maxFanOut);
  return {
    strategy: settings.controller.strategy,
    limit: start,
    mappingBatchSize: start,
    lastGoodLimit: start,
    lastDecreaseAt: null,
    lastUpdateAt: null,
    breaker: { status: BREAKER.CLOSED },
  };
}

export function keep(state: ControllerState): Decision {
  return { state, action: { type: "keep" } };
}

/** The step strategy's settings; a strategy handed another strategy's settings is a wiring bug. */
export function stepConfig(settings: ControllerSettings): StepControllerConfig {
  if (settings.controller.strategy !== "step") throw mismatch("step", settings.controller.strategy);
  return settings.controller;
}

/** The settings of a strategy other than step, checked to be the one named. */
export function limitConfig(settings: ControllerSettings, name: LimitControllerConfig["strategy"]): LimitControllerConfig {
  if (settings.controller.strategy !== name) throw mismatch(name, settings.controller.strategy);
  return settings.controller;
}

function mismatch(expected: string, got: string): SluiceError {
  return new SluiceError(`controller strategy "${expected}" was given settings with controller.strategy "${got}"`);
}
