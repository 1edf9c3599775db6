/**
 * The registry of emulated Lambda functions: register, configure, look up by
 * name or ARN, and invoke (invocation-run.ts runs each one). More than
 * `reservedConcurrency` executions at once are refused with
 * TooManyRequestsException (Reason ReservedFunctionConcurrentInvocationLimitExceeded),
 * as Lambda does; every invocation, refused ones included, goes into the log
 * with its outcome, timestamps read from the injected clock.
 */
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../runtime/ventilator/ports";
import { functionNotFound, LambdaApiError, LAMBDA_ERROR, THROTTLE_REASON } from "./api-errors";
import { SandboxPool } from "./sandbox";
import { functionArn, functionNameOf, LOCAL_ACCOUNT_ID, type Place } from "./arn";
import { validateDefinition, type FunctionDefinition, type InvocationResult, type InvokeOptions } from "./function-definition";
import { runInvocation } from "./invocation-run";
import {
  emptyCounters,
  INVOCATION_OUTCOME,
  summarize,
  type FunctionCounters,
  type InvocationOutcome,
  type InvocationRecord,
} from "./invocation-log";

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
    validateDefinition(definition);
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
    validateDefinition(definition);
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
      result = await runInvocation({ definition, requestId, event, invokedAs: nameOrArn, place: this.place, clock: this.clock, ...(entry.pool ? { pool: entry.pool } : {}) });
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

  private entry(nameOrArn: string): Registered {
    const entry = this.functions.get(functionNameOf(nameOrArn));
    if (!entry) throw functionNotFound(nameOrArn);
    return entry;
  }
}

export type { FunctionDefinition, FunctionErrorPayload, InvocationResult, InvokeOptions, LambdaContext, LambdaHandler } from "./function-definition";
