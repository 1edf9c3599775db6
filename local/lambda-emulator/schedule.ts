/**
 * The re-arm schedule: an EventBridge rule invoking a function every
 * `intervalMs` with the "Scheduled Event" EventBridge sends. A run that is
 * still going when the next one is due is not doubled up: the tick is skipped
 * (EventBridge would invoke anyway, but the ventilator's re-arm is idempotent,
 * and skipping keeps local runs deterministic).
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../../runtime/ventilator/ports";
import { ruleArn, type Place } from "./arn";
import type { FunctionRegistry, InvocationResult } from "./functions";

export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

export interface ScheduleOptions {
  functionName: string;
  intervalMs: number;
  /** @default "<functionName>-rearm" */
  ruleName?: string;
}

export interface Schedule {
  readonly ruleArn: string;
  /** Invocations made so far. */
  readonly fired: number;
  /** Results of the finished invocations; one the API refused (throttled, no such function) as its message. */
  readonly results: readonly (InvocationResult | { refused: string })[];
  /** Fires once now, outside the interval (e.g. a test's "the schedule fires"). */
  fireNow(): Promise<void>;
  stop(): Promise<void>;
}

/** EventBridge's time field: ISO 8601 without milliseconds. */
export function scheduledEvent(place: Place, rule: string, now: number): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: place.accountId,
    time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: place.region,
    resources: [rule],
    detail: {},
  };
}

export function startSchedule(functions: FunctionRegistry, clock: Clock, opts: ScheduleOptions): Schedule {
  if (!Number.isFinite(opts.intervalMs) || opts.intervalMs < 1) throw new RangeError(`schedule for ${opts.functionName}: intervalMs ${opts.intervalMs} must be >= 1`);
  const rule = ruleArn(functions.place, opts.ruleName ?? `${opts.functionName}-rearm`);
  const results: (InvocationResult | { refused: string })[] = [];
  let running: Promise<void> | undefined;
  let fired = 0;

  const fire = (): Promise<void> => {
    if (running) return running;
    fired++;
    running = functions
      .invoke(opts.functionName, scheduledEvent(functions.place, rule, clock.now()), { source: "schedule", summary: `Scheduled Event ${rule}` })
      .then(
        (result) => void results.push(result),
        (error: Error) => void results.push({ refused: error.message }),
      )
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void fire(), opts.intervalMs);

  return {
    ruleArn: rule,
    get fired() {
      return fired;
    },
    results,
    fireNow: fire,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
