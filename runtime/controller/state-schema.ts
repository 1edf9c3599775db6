/**
 * The shape of a saved ControllerState, checked when it comes back from the
 * ledger. Ranges that depend on the catalog (the limit cap) are not checked
 * here: restoreState clamps them, because the catalog may have changed since.
 */
import * as z from "zod";
import { BREAKER, type ControllerState } from "./types";

const epochMs = z.number().finite();
const count = z.number().int().min(0);
const batchSize = z.number().int();

export const breakerStateSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal(BREAKER.CLOSED) }),
  z.object({ status: z.literal(BREAKER.OPEN), openedAt: epochMs, nextProbeAt: epochMs, trips: count }),
  z.object({ status: z.literal(BREAKER.HALF_OPEN), since: epochMs, goodProbes: count, trips: count }),
]);

export const controllerStateSchema = z.object({
  strategy: z.enum(["step", "adaptive"]),
  limit: batchSize,
  mappingBatchSize: batchSize,
  lastGoodLimit: batchSize,
  lastDecreaseAt: epochMs.nullable(),
  lastUpdateAt: epochMs.nullable(),
  latencyMs: z.number().finite().min(0).optional(),
  breaker: breakerStateSchema,
}) satisfies z.ZodType<ControllerState>;
