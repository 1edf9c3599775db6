/** Strategy by name, as the catalog's `controller.strategy` names it. */
import type { Provider } from "../catalog/provider";
import { SluiceError } from "../errors";
import { adaptiveStrategy } from "./adaptive";
import { stepStrategy } from "./step";
import type { ControllerSettings, Strategy } from "./types";

export type StrategyName = Provider["controller"]["strategy"];

const STRATEGIES: Record<StrategyName, Strategy> = {
  step: stepStrategy,
  adaptive: adaptiveStrategy,
};

export function strategyFor(name: StrategyName): Strategy {
  const strategy = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!strategy) throw new SluiceError(`controller.strategy "${String(name)}" is not one of ${Object.keys(STRATEGIES).join(", ")}`);
  return strategy;
}

export function strategyOf(settings: ControllerSettings): Strategy {
  return strategyFor(settings.controller.strategy);
}
