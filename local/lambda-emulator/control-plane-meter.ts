/**
 * Counts Lambda control-plane calls (the ones sharing the account's 15 req/s),
 * so a run can report "control-plane calls per hour per provider". A call is
 * attributed to the function its mapping feeds, when the request names one.
 */

export const CONTROL_PLANE_OPERATION = {
  GET_MAPPING: "GetEventSourceMapping",
  LIST_MAPPINGS: "ListEventSourceMappings",
  UPDATE_MAPPING: "UpdateEventSourceMapping",
  CREATE_MAPPING: "CreateEventSourceMapping",
} as const;
export type ControlPlaneOperation = (typeof CONTROL_PLANE_OPERATION)[keyof typeof CONTROL_PLANE_OPERATION];

export interface ControlPlaneCall {
  operation: ControlPlaneOperation;
  at: number;
  /** The function of the mapping concerned; undefined when the request named none (e.g. an unfiltered List). */
  functionName: string | undefined;
  /** HTTP status answered: 429 = refused by the rate limit. */
  status: number;
}

export interface CallCounts {
  total: number;
  throttled: number;
  byOperation: Partial<Record<ControlPlaneOperation, number>>;
}

export class ControlPlaneMeter {
  private readonly log: ControlPlaneCall[] = [];

  record(call: ControlPlaneCall): void {
    this.log.push(call);
  }

  get calls(): readonly ControlPlaneCall[] {
    return this.log;
  }

  /** Counts over the calls that match; `since`/`until` are clock times, `until` exclusive. */
  counts(filter: { functionName?: string; since?: number; until?: number } = {}): CallCounts {
    const out: CallCounts = { total: 0, throttled: 0, byOperation: {} };
    for (const call of this.log) {
      if (filter.functionName !== undefined && call.functionName !== filter.functionName) continue;
      if (filter.since !== undefined && call.at < filter.since) continue;
      if (filter.until !== undefined && call.at >= filter.until) continue;
      out.total++;
      if (call.status === 429) out.throttled++;
      out.byOperation[call.operation] = (out.byOperation[call.operation] ?? 0) + 1;
    }
    return out;
  }

  /** Calls per hour for each function over [since, until): the cost a provider's pipeline puts on the shared quota. */
  perHourByFunction(since: number, until: number): Map<string | undefined, number> {
    const hours = Math.max(until - since, 1) / 3_600_000;
    const perFunction = new Map<string | undefined, number>();
    for (const call of this.log) {
      if (call.at < since || call.at >= until) continue;
      perFunction.set(call.functionName, (perFunction.get(call.functionName) ?? 0) + 1);
    }
    for (const [name, n] of perFunction) perFunction.set(name, n / hours);
    return perFunction;
  }
}
