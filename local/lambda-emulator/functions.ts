/**
 * Lambda functions with the behaviour the pipeline depends on:
 *  - the event and the result cross a JSON boundary, as they do on Lambda;
 *  - a handler that does not settle within `timeoutMs` fails with errorType
 *    "Sandbox.Timedout" and its concurrency slot is released. A function
 *    defined with a `sandbox` runs in worker threads (sandbox.ts), and a timed-out
 *    environment is terminated as Lambda resets it: nothing it started goes on.
 *    A function defined with an in-process `handler` can only be abandoned: it
 *    keeps running (the emulator's own tests and simple fixtures use those);
 *  - more than `reservedConcurrency` executions at once are refused with
 *    TooManyRequestsException (Reason ReservedFunctionConcurrentInvocationLimitExceeded);
 *  - a thrown error becomes FunctionError "Unhandled" with the Node.js runtime's
 *    payload {errorType, errorMessage, trace}.
 * Timeouts run on real timers; timestamps and getRemainingTimeInMillis() read
 * the injected clock.
 */
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../runtime/ventilator/ports";
import { functionNotFound, LambdaApiError, LAMBDA_ERROR, THROTTLE_REASON } from "./api-errors";
import { SandboxPool, type SandboxSpec } from "./sandbox";
import { functionArn, functionNameOf, LOCAL_ACCOUNT_ID, type Place } from "./arn";
import {
  emptyCounters,
  INVOCATION_OUTCOME,
  summarize,
  type FunctionCounters,
  type InvocationOutcome,
  type InvocationRecord,
  type InvocationSource,
} from "./invocation-log";

/** The part of the Node.js runtime's context object handlers use. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type LambdaHandler = (event: any, context: LambdaContext) => Promise<unknown>;

export interface FunctionDefinition {
  name: string;
  /** In-process handler: abandoned, not stopped, at its timeout. Give this or `sandbox`. */
  handler?: LambdaHandler;
  /** A module run in worker threads, one execution environment per concurrent invocation. */
  sandbox?: SandboxSpec;
  timeoutMs: number;
  /** Hard ceiling of executions at once; absent = unreserved (no ceiling here). */
  reservedConcurrency?: number;
  /** @default 128 */
  memoryMb?: number;
}

/** The Node.js runtime's error payload. */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type InvocationResult =
  | { requestId: string; functionError?: undefined; payload: unknown }
  | { requestId: string; functionError: "Unhandled"; timedOut: boolean; payload: FunctionErrorPayload };

export interface InvokeOptions {
  source?: InvocationSource;
  /** Replaces the default summary (the start of the event's JSON) in the log. */
  summary?: string;
}

export interface FunctionRegistryOptions {
  clock?: Clock;
  /** @default "us-east-1" */
  region?: string;
  /** @default LOCAL_ACCOUNT_ID */
  accountId?: string;
}

interface Registered {
  definition: FunctionDefinition;
  counters: FunctionCounters;
  pool?: SandboxPool;
}

export class FunctionRegistry {
  readonly place: Place;
  private readonly clock: Clock;
  private readonly functions = new Map<string, Registered>();
  private readonly records: InvocationRecord[] = [];

  constructor(opts: FunctionRegistryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.place = { region: opts.region ?? "us-east-1", accountId: opts.accountId ?? LOCAL_ACCOUNT_ID };
  }

  register(definition: FunctionDefinition): void {
    validate(definition);
    if (this.functions.has(definition.name)) throw new RangeError(`function "${definition.name}" is already registered`);
    this.functions.set(definition.name, { definition: { ...definition }, counters: emptyCounters(), ...(definition.sandbox ? { pool: new SandboxPool(definition.sandbox) } : {}) });
  }

  /** How far a sandboxed function's clock runs ahead of the real one (0 for in-process functions). */
  clockOffsetOf(nameOrArn: string): number {
    return this.functions.get(functionNameOf(nameOrArn))?.definition.sandbox?.clockOffsetMs ?? 0;
  }

  /** Cold starts of a sandboxed function so far (each new execution environment). */
  coldStarts(nameOrArn: string): number {
    return this.entry(nameOrArn).pool?.coldStarts ?? 0;
  }

  /** Terminates a sandboxed function's execution environments (its next invocation starts cold). */
  async release(nameOrArn: string): Promise<void> {
    await this.functions.get(functionNameOf(nameOrArn))?.pool?.dispose();
  }

  /** Terminates every execution environment (the emulator's stop). */
  async dispose(): Promise<void> {
    await Promise.all([...this.functions.values()].map((f) => f.pool?.dispose()));
  }

  /** Changes a registered function (e.g. its reserved concurrency or handler); counters and log are kept. */
  configure(nameOrArn: string, change: Partial<Omit<FunctionDefinition, "name">>): void {
    const entry = this.entry(nameOrArn);
    const definition = { ...entry.definition, ...change };
    validate(definition);
    entry.definition = definition;
    if (change.sandbox) {
      if (entry.pool) entry.pool.reconfigure(change.sandbox);
      else entry.pool = new SandboxPool(change.sandbox);
    }
  }

  has(nameOrArn: string): boolean {
    return this.functions.has(functionNameOf(nameOrArn));
  }

  arnOf(nameOrArn: string): string {
    return functionArn(this.place, this.entry(nameOrArn).definition.name);
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  /** Every invocation so far, oldest first (throttles included). */
  get log(): readonly InvocationRecord[] {
    return this.records;
  }

  invocationsOf(nameOrArn: string): InvocationRecord[] {
    const name = functionNameOf(nameOrArn);
    return this.records.filter((r) => r.functionName === name);
  }

  counters(nameOrArn: string): FunctionCounters {
    return { ...this.entry(nameOrArn).counters };
  }

  clearLog(): void {
    this.records.length = 0;
  }

  /**
   * Runs the function like a RequestResponse invocation. Resolves with the
   * result or the function error; rejects only with a LambdaApiError the API
   * would answer instead (ResourceNotFound, TooManyRequests).
   */
  async invoke(nameOrArn: string, event: unknown, opts: InvokeOptions = {}): Promise<InvocationResult> {
    const entry = this.functions.get(functionNameOf(nameOrArn));
    if (!entry) throw functionNotFound(nameOrArn);
    const { definition, counters } = entry;
    const requestId = randomUUID();
    const startedAt = this.clock.now();
    const base = { functionName: definition.name, requestId, source: opts.source ?? "direct", startedAt, summary: opts.summary ?? summarize(event) };

    if (definition.reservedConcurrency !== undefined && counters.inFlight >= definition.reservedConcurrency) {
      counters.throttles++;
      this.records.push({ ...base, endedAt: startedAt, outcome: INVOCATION_OUTCOME.THROTTLED });
      throw new LambdaApiError(LAMBDA_ERROR.TOO_MANY_REQUESTS, "Rate Exceeded.", { reason: THROTTLE_REASON.RESERVED_CONCURRENCY });
    }

    counters.invocations++;
    counters.inFlight++;
    counters.peakInFlight = Math.max(counters.peakInFlight, counters.inFlight);
    let result: InvocationResult;
    try {
      result = await this.run(definition, requestId, event, nameOrArn, entry.pool);
    } finally {
      counters.inFlight--;
    }

    const outcome: InvocationOutcome = result.functionError === undefined ? INVOCATION_OUTCOME.OK : result.timedOut ? INVOCATION_OUTCOME.TIMEOUT : INVOCATION_OUTCOME.ERROR;
    if (outcome === INVOCATION_OUTCOME.OK) counters.ok++;
    else if (outcome === INVOCATION_OUTCOME.TIMEOUT) counters.timeouts++;
    else counters.errors++;
    this.records.push({
      ...base,
      endedAt: this.clock.now(),
      outcome,
      ...(result.functionError ? { errorType: result.payload.errorType, errorMessage: result.payload.errorMessage } : {}),
    });
    return result;
  }

  private async run(definition: FunctionDefinition, requestId: string, event: unknown, invokedAs: string, pool?: SandboxPool): Promise<InvocationResult> {
    const deadline = this.clock.now() + definition.timeoutMs;
    const context: LambdaContext = {
      functionName: definition.name,
      functionVersion: "$LATEST",
      invokedFunctionArn: invokedAs.startsWith("arn:") ? invokedAs : functionArn(this.place, definition.name),
      memoryLimitInMB: String(definition.memoryMb ?? 128),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${definition.name}`,
      logStreamName: `local/[$LATEST]${requestId.replace(/-/g, "")}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.clock.now()),
    };

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), definition.timeoutMs);
    });
    const timeoutResult = (): InvocationResult => ({
      requestId,
      functionError: "Unhandled",
      timedOut: true,
      payload: {
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(definition.timeoutMs / 1000).toFixed(2)} seconds`,
        trace: [],
      },
    });
    if (pool) {
      clearTimeout(timer);
      try {
        const { getRemainingTimeInMillis: _remaining, ...fields } = context;
        // The function's timeout counts from the end of a cold start's init, as on Lambda.
        const startClock = () =>
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, definition.timeoutMs);
          });
        const outcome = await pool.run(JSON.parse(JSON.stringify(event ?? {})), fields, definition.timeoutMs, startClock);
        if (outcome === "timeout") return timeoutResult();
        if ("error" in outcome) return { requestId, functionError: "Unhandled", timedOut: false, payload: outcome.error };
        return { requestId, payload: outcome.value };
      } finally {
        clearTimeout(timer);
      }
    }
    const handler = definition.handler!;
    // JSON in: the handler gets its own copy, as it would after crossing the wire.
    const execution = Promise.resolve().then(() => handler(JSON.parse(JSON.stringify(event ?? {})), context));
    // An abandoned execution may still reject later; that must not become an unhandled rejection.
    execution.catch(() => undefined);

    try {
      const settled = await Promise.race([execution.then((value) => ({ value })), timedOut]);
      if (settled === "timeout") return timeoutResult();
      // JSON out: undefined becomes null, Dates become strings, as the runtime serialises them.
      const text = JSON.stringify(settled.value);
      return { requestId, payload: text === undefined ? null : JSON.parse(text) };
    } catch (error) {
      return { requestId, functionError: "Unhandled", timedOut: false, payload: errorPayload(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  private entry(nameOrArn: string): Registered {
    const entry = this.functions.get(functionNameOf(nameOrArn));
    if (!entry) throw functionNotFound(nameOrArn);
    return entry;
  }
}

/** What the Node.js runtime reports for a thrown value. */
function errorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? "").split("\n").filter(Boolean) };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function validate(d: FunctionDefinition): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(d.name)) throw new RangeError(`function name "${d.name}" must be 1-64 letters, digits, - or _`);
  if ((d.handler === undefined) === (d.sandbox === undefined)) throw new RangeError(`function "${d.name}": give either a handler or a sandbox`);
  if (!Number.isInteger(d.timeoutMs) || d.timeoutMs < 1) throw new RangeError(`function "${d.name}": timeoutMs ${d.timeoutMs} must be an integer >= 1`);
  if (d.reservedConcurrency !== undefined && (!Number.isInteger(d.reservedConcurrency) || d.reservedConcurrency < 0)) {
    throw new RangeError(`function "${d.name}": reservedConcurrency ${d.reservedConcurrency} must be an integer >= 0`);
  }
  if (d.memoryMb !== undefined && (!Number.isInteger(d.memoryMb) || d.memoryMb < 128 || d.memoryMb > 10_240)) {
    throw new RangeError(`function "${d.name}": memoryMb ${d.memoryMb} must be an integer in [128, 10240]`);
  }
}
