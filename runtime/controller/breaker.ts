/**
 * Circuit-breaker transitions shared by the strategies. State carries
 * timestamps, never timers: the function may be a fresh Lambda instance.
 *
 *   closed ──bad at limit 1──▶ open(trips = 1, nextProbeAt = now + wait(1))
 *   open ──schedule, now ≥ nextProbeAt − PROBE_SLACK_MS──▶ half-open(since = now, goodProbes = 0): mapping enabled, fan-out 1
 *   half-open ──bad──▶ open(trips + 1, nextProbeAt = max(now, since + wait(trips + 1)))
 *   half-open ──enough good probes──▶ closed at the strategy's restart limit and mapping batch size
 *
 * Every transition touches the mapping (disable, enable, resize), so each sets
 * lastUpdateAt: the mapping hysteresis then counts from it.
 *
 * Only the re-arm schedule probes, at fixed ticks, and a failed probe
 * re-opens the breaker some time after the tick that started it (seconds, or a
 * whole worker timeout). Counted from the re-open, a wait of whole ticks would
 * end just after a tick and cost one more (the simulator showed a 20-minute
 * wait become 30): the wait after a failed probe counts from the probe's start
 * (the tick), and a probe is due from PROBE_SLACK_MS before nextProbeAt, for
 * ticks that fire a little early or late.
 */
import { keep } from "./state";
import { BREAKER, type ControllerState, type Decision } from "./types";

const MINUTE_MS = 60_000;
/** How early before nextProbeAt a schedule tick may probe. */
export const PROBE_SLACK_MS = 60_000;

/** Half-open wait after the `trips`-th consecutive open: base × 2^(trips − 1), capped at max (minutes). */
export function doublingWaitMs(trips: number, baseMinutes: number, maxMinutes: number): number {
  const minutes = Math.min(maxMinutes, baseMinutes * 2 ** Math.max(0, trips - 1));
  return minutes * MINUTE_MS;
}

/** Opens (from closed) or re-opens (from half-open); the caller computes the wait from the new trip count. */
export function openBreaker(state: ControllerState, now: number, waitMs: (trips: number) => number): Decision {
  const trips = state.breaker.status === BREAKER.CLOSED ? 1 : state.breaker.trips + 1;
  const from = state.breaker.status === BREAKER.HALF_OPEN ? state.breaker.since : now;
  const nextProbeAt = Math.max(now, from + waitMs(trips));
  return {
    state: { ...state, limit: 1, lastUpdateAt: now, breaker: { status: BREAKER.OPEN, openedAt: now, nextProbeAt, trips } },
    action: { type: "open-breaker", nextProbeAt },
  };
}

/**
 * On the re-arm schedule: a due open breaker (within the slack) becomes half-open, the fan-out at 1 and
 * the mapping at `batchSize` records (the demo's 1 for step; the others keep theirs: the ventilator
 * enforces the fan-out itself, and a batch of one record at a time would take minutes to step over
 * records already done that a failed batch left in the stream).
 */
export function probeIfDue(state: ControllerState, now: number, batchSize = 1): Decision {
  const breaker = state.breaker;
  if (breaker.status !== BREAKER.OPEN || now < breaker.nextProbeAt - PROBE_SLACK_MS) return keep(state);
  return {
    state: {
      ...state,
      limit: 1,
      mappingBatchSize: batchSize,
      lastUpdateAt: now,
      breaker: { status: BREAKER.HALF_OPEN, since: now, goodProbes: 0, trips: breaker.trips },
    },
    action: { type: "probe", batchSize },
  };
}

/** Closes at fan-out `limit` with the mapping at `batchSize` (the strategy's choice, the limit by default). */
export function closeBreaker(state: ControllerState, now: number, limit: number, batchSize = limit): Decision {
  return {
    state: { ...state, limit, mappingBatchSize: batchSize, lastUpdateAt: now, breaker: { status: BREAKER.CLOSED } },
    action: { type: "close", batchSize },
  };
}
