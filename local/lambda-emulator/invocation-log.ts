/**
 * Every invocation the emulator ran or refused, for tests and for measuring a
 * run (peak concurrency towards a worker, timeouts, throttles).
 */

export const INVOCATION_OUTCOME = {
  OK: "ok",
  /** The handler threw (FunctionError "Unhandled"). */
  ERROR: "error",
  /** The handler did not settle within the function's timeout. */
  TIMEOUT: "timeout",
  /** Refused before running: reserved concurrency was used up. */
  THROTTLED: "throttled",
} as const;
export type InvocationOutcome = (typeof INVOCATION_OUTCOME)[keyof typeof INVOCATION_OUTCOME];

/** Who asked: the HTTP API (an SDK Invoke), an event source mapping, the re-arm schedule, or code calling the registry. */
export type InvocationSource = "api" | "kinesis" | "schedule" | "direct";

export interface InvocationRecord {
  functionName: string;
  requestId: string;
  source: InvocationSource;
  /** Clock time the invocation was asked for and when it ended (equal for a throttle). */
  startedAt: number;
  endedAt: number;
  outcome: InvocationOutcome;
  /** A short description of the event (Kinesis: shard and sequence range; otherwise the start of its JSON). */
  summary: string;
  errorType?: string;
  errorMessage?: string;
}

export interface FunctionCounters {
  /** Executions started (throttled requests are not executions). */
  invocations: number;
  ok: number;
  errors: number;
  timeouts: number;
  throttles: number;
  inFlight: number;
  /** Most executions that ran at once. */
  peakInFlight: number;
}

export function emptyCounters(): FunctionCounters {
  return { invocations: 0, ok: 0, errors: 0, timeouts: 0, throttles: 0, inFlight: 0, peakInFlight: 0 };
}

const SUMMARY_LENGTH = 160;

/** The start of the event's JSON; enough to tell invocations apart in a failing test's output. */
export function summarize(event: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(event) ?? "undefined";
  } catch {
    text = String(event);
  }
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}
