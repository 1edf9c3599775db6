/**
 * WorkerInvoker on Lambda Invoke (RequestResponse).
 *
 * Invoke of a function that throws answers HTTP 200 with `FunctionError` set
 * and the error in the payload; it does not reject. The original demo counted
 * those as successes, which hid every worker failure from its controller. Here
 * every way a call can go wrong becomes a classified InvokeResult:
 *
 *   FunctionError, "Task timed out" / Sandbox.Timedout  -> timeout
 *   FunctionError, anything else                        -> error (its errorMessage)
 *   WorkerResponse { ok: false, kind }                  -> kind
 *   TooManyRequestsException (reserved concurrency full)-> throttled
 *   our own deadline (AbortController at timeoutMs)     -> timeout
 *   other SDK / network error, unparseable payload      -> error
 *
 * Build the client with `maxAttempts: 1`: the SDK's own retry would hide
 * throttles from the controller and spend the worker's time budget.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { isWorkerResponse, type WorkerRequest } from "../workers/contract";
import { systemClock, type Clock, type InvokeResult, type WorkerInvoker } from "../ventilator/ports";
import { describeError, errorName } from "./sdk-errors";

export interface LambdaWorkerInvokerOptions {
  client: LambdaClient;
  /** Name or ARN of the worker function. */
  functionName: string;
  /** @default systemClock */
  clock?: Clock;
}

const LAMBDA_TIMEOUT_TYPES = new Set(["Sandbox.Timedout"]);
const LAMBDA_TIMEOUT_MESSAGE = /Task timed out/i;
const THROTTLE_ERRORS = new Set(["TooManyRequestsException"]);

export class LambdaWorkerInvoker implements WorkerInvoker {
  private readonly client: LambdaClient;
  private readonly functionName: string;
  private readonly clock: Clock;
  private readonly encoder = new TextEncoder();

  constructor(opts: LambdaWorkerInvokerOptions) {
    if (!opts.functionName) throw new RangeError("LambdaWorkerInvoker: functionName must not be empty");
    this.client = opts.client;
    this.functionName = opts.functionName;
    this.clock = opts.clock ?? systemClock;
  }

  async invoke(request: WorkerRequest, timeoutMs: number): Promise<InvokeResult> {
    const started = this.clock.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, timeoutMs));
    let result: Omit<InvokeResult, "latencyMs">;
    try {
      const out = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: "RequestResponse",
          Payload: this.encoder.encode(JSON.stringify(request)),
        }),
        { abortSignal: abort.signal },
      );
      result = classifyAnswer(out.FunctionError, out.Payload);
    } catch (err) {
      result = classifyFailure(err, abort.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    return { ...result, latencyMs: Math.max(0, this.clock.now() - started) };
  }
}

type Classified = Omit<InvokeResult, "latencyMs">;

function parsePayload(payload: Uint8Array | undefined): { ok: true; value: unknown } | { ok: false } {
  if (!payload || payload.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(payload)) };
  } catch {
    return { ok: false };
  }
}

/** An Invoke that reached the function: its answer decides. Exported for table tests. */
export function classifyAnswer(functionError: string | undefined, payload: Uint8Array | undefined): Classified {
  const parsed = parsePayload(payload);
  if (functionError) {
    const body = parsed.ok && parsed.value !== null && typeof parsed.value === "object" ? (parsed.value as Record<string, unknown>) : {};
    const type = typeof body.errorType === "string" ? body.errorType : undefined;
    const message = typeof body.errorMessage === "string" ? body.errorMessage : undefined;
    const reason = message ?? type ?? `FunctionError ${functionError}`;
    if ((type && LAMBDA_TIMEOUT_TYPES.has(type)) || (message && LAMBDA_TIMEOUT_MESSAGE.test(message))) {
      return { outcome: "timeout", reason };
    }
    return { outcome: "error", reason };
  }
  if (!parsed.ok) return { outcome: "error", reason: "worker answered a payload that is not JSON" };
  if (!isWorkerResponse(parsed.value)) return { outcome: "error", reason: "worker answered JSON that is not a WorkerResponse" };
  if (parsed.value.ok) return parsed.value.recorded === true ? { outcome: "ok", recorded: true } : { outcome: "ok" };
  return { outcome: parsed.value.kind, reason: parsed.value.reason };
}

/** An Invoke that did not get an answer from the function. */
function classifyFailure(err: unknown, deadlineReached: boolean, timeoutMs: number): Classified {
  if (deadlineReached) return { outcome: "timeout", reason: `no answer within ${timeoutMs} ms` };
  const name = errorName(err);
  if (name && THROTTLE_ERRORS.has(name)) return { outcome: "throttled", reason: describeError(err) };
  return { outcome: "error", reason: describeError(err) };
}
