/**
 * A Lambda function as the emulator knows it: its definition (an in-process
 * handler or a sandboxed module, timeout, reserved concurrency, memory) with
 * Lambda's limits, the context object handlers get, and what an invocation
 * returns (the result, or the Node.js runtime's error payload).
 */
import type { InvocationSource } from "./invocation-log";
import type { SandboxSpec } from "./sandbox";

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

export function validateDefinition(d: FunctionDefinition): void {
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
