/** The controller: pure decisions of (state, batch report, provider settings, now). */
export * from "./types";
export { summarize, badShare, nearestRank, type BatchStats } from "./batch-stats";
export { stepStrategy, stepVerdict, STEP_VERDICT, type StepVerdict } from "./step";
export { adaptiveStrategy, adaptiveAlgorithm, regrow } from "./adaptive";
export { limitStrategy, restartLimit, waveShouldClose, type LimitAlgorithm, type LimitStrategyName } from "./limit-strategy";
export { freshEvidence, weigh, learn, observe, hypotheses, firing, THRESHOLDS, TESTS, type Evidence, type Test } from "./evidence";
export { doublingWaitMs, PROBE_SLACK_MS } from "./breaker";
export { settleMapping, followLimit, mappingTarget, meanLatency, updateLatency, wavesFor, wavesOf, LATENCY_MEMORY_SAMPLES, MAX_MAPPING_BATCH_SIZE, MIN_WAVES, TARGET_BATCH_SECONDS } from "./mapping-update";
export { clampLimit, initialState } from "./state";
export { controllerStateSchema, breakerStateSchema } from "./state-schema";
export { strategyFor, strategyOf, STRATEGY_NAMES, type StrategyName } from "./registry";
export { restoreState } from "./restore";
