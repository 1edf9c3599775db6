/**
 * The shape of a saved ControllerState, checked when it comes back from the
 * ledger. Ranges that depend on the catalog (the limit cap) are not checked
 * here: restoreState clamps them, because the catalog may have changed since.
 */
import * as z from "zod";
import type { Evidence } from "./evidence";
import type { LoadLatency } from "./load-latency";
import type { PeerState } from "./peers/state";
import { BREAKER, STRATEGY_NAMES, type ControllerState } from "./types";

const epochMs = z.number().finite();
const count = z.number().int().min(0);
const batchSize = z.number().int();

export const breakerStateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal(BREAKER.CLOSED) }),
  z.object({ status: z.literal(BREAKER.OPEN), openedAt: epochMs, nextProbeAt: epochMs, trips: count }),
  z.object({ status: z.literal(BREAKER.HALF_OPEN), since: epochMs, goodProbes: count, trips: count }),
]);

const share = z.number().finite().min(0).max(1);
const statistic = z.number().finite().min(0);

export const evidenceSchema = z.object({
  learned: count,
  failShare: share,
  throttleShare: share,
  badShare: share,
  settle: count,
  down: statistic,
  struggle: statistic,
  throttle: statistic,
  errors: statistic,
}) satisfies z.ZodType<Evidence>;

const windowSchema = z.object({
  n: count,
  sumRtt: z.number().finite().min(0),
  minRtt: z.number().min(0),
  maxInFlight: count,
  didDrop: z.boolean(),
});

const estimate = z.number().finite().min(1);
const latency = z.number().finite().min(0);

export const peerStateSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("aimd"), window: windowSchema }),
  z.object({ kind: z.literal("vegas"), estimate, rttNoLoad: latency, probeCount: count, probeJitter: z.number().min(0.5).lt(1), window: windowSchema }),
  z.object({ kind: z.literal("gradient2"), estimate, longRtt: latency, longCount: count, window: windowSchema }),
]) satisfies z.ZodType<PeerState>;

const levelSchema = z.object({ limit: z.number().int().min(1), skip: count, n: count, mean: z.number().finite(), variance: z.number().finite().min(0) });

export const loadLatencySchema = z.object({
  current: levelSchema,
  reference: levelSchema.optional(),
  dipFrom: levelSchema.optional(),
  ceiling: z.number().int().min(1).optional(),
  nextDipAt: epochMs,
}) satisfies z.ZodType<LoadLatency>;

export const controllerStateSchema = z.object({
  strategy: z.enum(STRATEGY_NAMES),
  limit: batchSize,
  mappingBatchSize: batchSize,
  lastGoodLimit: batchSize,
  lastDecreaseAt: epochMs.nullable(),
  lastUpdateAt: epochMs.nullable(),
  latencyMs: z.number().finite().min(0).optional(),
  breaker: breakerStateSchema,
  evidence: evidenceSchema.optional(),
  peer: peerStateSchema.optional(),
  loadLatency: loadLatencySchema.optional(),
}) satisfies z.ZodType<ControllerState>;
