/** Strategy by name, as the catalog's `controller.strategy` names it. */
import { SluiceError } from "../errors";
import { adaptiveStrategy } from "./adaptive";
import { limitStrategy } from "./limit-strategy";
import { aimdAlgorithm } from "./peers/aimd";
import { gradient2Algorithm } from "./peers/gradient2";
import { vegasAlgorithm } from "./peers/vegas";
import { stepStrategy } from "./step";
import { STRATEGY_NAMES, type ControllerSettings, type Strategy, type StrategyName } from "./types";

export type { StrategyName } from "./types";
export { STRATEGY_NAMES };

const STRATEGIES: Record<StrategyName, Strategy> = {
  step: stepStrategy,
  adaptive: adaptiveStrategy,
  aimd: limitStrategy(aimdAlgorithm),
  vegas: limitStrategy(vegasAlgorithm),
  gradient2: limitStrategy(gradient2Algorithm),
};

export function strategyFor(name: StrategyName): Strategy {
  const strategy = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!strategy) throw new SluiceError(`controller.strategy "${String(name)}" is not one of ${STRATEGY_NAMES.join(", ")}`);
  return strategy;
}

export function strategyOf(settings: ControllerSettings): Strategy {
  return strategyFor(settings.controller.strategy);
}
