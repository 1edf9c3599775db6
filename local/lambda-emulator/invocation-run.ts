/**
 * One invocation of a function, as Lambda runs it: the event crosses a JSON
 * boundary both ways; a handler that does not settle within `timeoutMs` fails
 * with errorType "Sandbox.Timedout" (a sandboxed environment is terminated
 * then, an in-process handler can only be abandoned); a thrown error becomes
 * the Node.js runtime's payload {errorType, errorMessage, trace}. Timeouts run
 * on real timers; getRemainingTimeInMillis() reads the injected clock.
 */
import type { Clock } from "../../runtime/ventilator/ports";
import { functionArn, type Place } from "./arn";
import type { FunctionDefinition, FunctionErrorPayload, InvocationResult, LambdaContext } from "./function-definition";
import type { SandboxPool } from "./sandbox";

export interface InvocationRun {
  definition: FunctionDefinition;
  requestId: string;
  event: unknown;
  /** The name or ARN the caller used (the context's invokedFunctionArn). */
  invokedAs: string;
  place: Place;
  clock: Clock;
  /** The function's execution environments, when it is sandboxed. */
  pool?: SandboxPool;
}

/** Runs one invocation to its result, its error or its timeout. */
export async function runInvocation({ definition, requestId, event, invokedAs, place, clock, pool }: InvocationRun): Promise<InvocationResult> {
  const deadline = clock.now() + definition.timeoutMs;
  const context: LambdaContext = {
    functionName: definition.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: invokedAs.startsWith("arn:") ? invokedAs : functionArn(place, definition.name),
    memoryLimitInMB: String(definition.memoryMb ?? 128),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${definition.name}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, "")}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
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

/** What the Node.js runtime reports for a thrown value. */
function errorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? "").split("\n").filter(Boolean) };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}
