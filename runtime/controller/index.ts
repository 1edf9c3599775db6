/** The controller: pure decisions of (state, batch report, provider settings, now). */
export * from "./types";
export { summarize, badShare, nearestRank, type BatchStats } from "./batch-stats";
export { stepStrategy, stepVerdict, STEP_VERDICT, type StepVerdict } from "./step";
export { adaptiveStrategy, isCongested, regrow, restartBatchSize } from "./adaptive";
export { doublingWaitMs } from "./breaker";
export { settleMapping, followLimit, mappingTarget } from "./mapping-update";
export { clampLimit, initialState } from "./state";
export { controllerStateSchema, breakerStateSchema } from "./state-schema";
export { strategyFor, strategyOf, type StrategyName } from "./registry";
export { restoreState } from "./restore";
