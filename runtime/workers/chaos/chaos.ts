/**
 * The chaos worker: a simulated provider, as in the original demo, for load
 * tests and the `demo` pipeline. Per call, three independent draws u, j, v in [0, 1):
 *   latency = slowMs                       when 100·u < slowPercentage
 *           = baseLatencyMs × (0.9 + 0.2·j) otherwise (±10 % jitter)
 *   outcome = throw                        when 100·v < errorPercentage
 *           = throttled                    when 100·v < errorPercentage + throttlePercentage
 *           = ok                           otherwise
 * so the throttled share is min(throttle, 100 − error) %. An error THROWS, like
 * the demo's worker, so Lambda answers with FunctionError: the ventilator must
 * see it as a failure (the demo counted it as a success).
 * A call slower than the worker's own deadline (`timeoutMs`) answers timeout at
 * the deadline, as a real worker gives up its fetch before Lambda kills it (a
 * killed worker leaves an outcome nobody knows, and its record ends dead).
 */
import type { ChaosSettings } from "../../catalog/schema";
import { SluiceError } from "../../errors";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";

/** The failure the chaos worker injects; Lambda reports its name as errorType. */
export class ChaosFailure extends SluiceError {
  constructor(readonly recordId: string) {
    super(`chaos: injected failure for record ${JSON.stringify(recordId)}`);
  }
}

export interface ChaosDeps {
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The worker's own deadline for one call (see http's fetchTimeoutMs); none: it waits as long as the latency says. */
  timeoutMs?: number | (() => number);
}

/** Latency of one call: the first draw picks slow or normal, the second sets the jitter. */
export function chaosLatency(settings: ChaosSettings, slowDraw: number, jitterDraw: number): { latencyMs: number; slow: boolean } {
  if (slowDraw * 100 < settings.slowPercentage) return { latencyMs: settings.slowMs, slow: true };
  return { latencyMs: Math.round(settings.baseLatencyMs * (0.9 + 0.2 * jitterDraw)), slow: false };
}

export type ChaosOutcome = "ok" | "error" | "throttled";

/** Compared in percent, so the catalog's own numbers mark the boundaries (0.1 + 0.05 is not 0.15 in floating point). */
export function chaosOutcome(settings: ChaosSettings, draw: number): ChaosOutcome {
  const percent = draw * 100;
  if (percent < settings.errorPercentage) return "error";
  if (percent < settings.errorPercentage + settings.throttlePercentage) return "throttled";
  return "ok";
}

export function chaosWorker(settings: ChaosSettings, deps: ChaosDeps): WorkerHandler {
  return async (request: WorkerRequest): Promise<WorkerResponse> => {
    const { latencyMs, slow } = chaosLatency(settings, deps.random(), deps.random());
    const outcome = chaosOutcome(settings, deps.random());
    const deadline = typeof deps.timeoutMs === "function" ? deps.timeoutMs() : deps.timeoutMs;
    if (deadline !== undefined && latencyMs > deadline) {
      await deps.sleep(deadline);
      return { ok: false, kind: "timeout", reason: `chaos: no answer within ${deadline} ms` };
    }
    await deps.sleep(latencyMs);
    if (outcome === "error") throw new ChaosFailure(request.recordId);
    if (outcome === "throttled") return { ok: false, kind: "throttled", reason: "chaos: injected throttle" };
    return { ok: true, metadata: { latencyMs, slow } };
  };
}
