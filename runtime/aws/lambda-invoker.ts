/**
 * WorkerInvoker on Lambda Invoke (RequestResponse).
 *
 * Invoke of a function that throws answers HTTP 200 with `FunctionError` set
 * and the error in the payload; it does not reject. The original demo counted
 * those as successes, which hid every worker failure from its controller. Here
 * every way a call can go wrong becomes a classified InvokeResult, with what it
 * tells about the call's fate (see CallFate in ventilator/ports):
 *
 *   FunctionError, "Task timed out" / Sandbox.Timedout  -> timeout, died (killed mid-call)
 *   FunctionError, Runtime.ExitError / OutOfMemory      -> error, died (the process crashed)
 *   FunctionError, Runtime.ImportModuleError and other
 *     init failures (the handler never ran)             -> error, not-made
 *   FunctionError, anything else (the worker threw)     -> error (its errorMessage), made
 *   WorkerResponse { ok: false, kind }                  -> kind, made (not-made if providerCalled: false)
 *   TooManyRequestsException (reserved concurrency full)-> throttled, not-made (the worker never ran)
 *   another 4xx from the Lambda API (AccessDenied, ...) -> error, not-made
 *   a 5xx from the Lambda API                           -> error, in-doubt
 *   a connection never made (refused, unknown host,
 *     no credentials)                                   -> error, not-made
 *   a connection lost after the request went out        -> error, in-doubt
 *   our own deadline (AbortController at timeoutMs)     -> timeout, in-doubt
 *   unparseable payload                                 -> error, made
 *
 * A call's latency counts from the moment the signed request is handed to the
 * HTTP handler: credential loading is not the provider's time. The client's
 * sockets must cover the fan-out (see ventilatorLambdaClient), or calls would
 * also queue for a socket inside the handler.
 *
 * Build the client with `maxAttempts: 1`: the SDK's own retry would hide
 * throttles from the controller and spend the worker's time budget.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { isWorkerResponse, type WorkerRequest } from "../workers/contract";
import { systemClock, type Clock, type InvokeResult, type WorkerInvoker } from "../ventilator/ports";
import { describeError, errorName, httpStatusOf } from "./sdk-errors";

export interface LambdaWorkerInvokerOptions {
  client: LambdaClient;
  /** Name or ARN of the worker function. */
  functionName: string;
  /** @default systemClock */
  clock?: Clock;
}

const LAMBDA_TIMEOUT_TYPES = new Set(["Sandbox.Timedout"]);
/** The worker's process died: whatever it was doing, nothing after it ran (its guard's write included). */
const CRASH_TYPES = new Set(["Runtime.ExitError", "Runtime.OutOfMemory", "Runtime.Unknown"]);
/** The function could not even load: its handler, and so the provider call, never ran. */
const INIT_TYPES = new Set(["Runtime.ImportModuleError", "Runtime.HandlerNotFound", "Runtime.UserCodeSyntaxError", "Runtime.MalformedHandlerName", "Runtime.InvalidEntrypoint"]);
const LAMBDA_TIMEOUT_MESSAGE = /Task timed out/i;
const THROTTLE_ERRORS = new Set(["TooManyRequestsException"]);
/** Failures that happen before a request can leave: nothing reached Lambda. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);
const NOT_SENT_NAMES = new Set(["CredentialsProviderError"]);

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
    let sentAt: number | undefined;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, timeoutMs));
    let result: Omit<InvokeResult, "latencyMs">;
    try {
      const command = new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: "RequestResponse",
        Payload: this.encoder.encode(JSON.stringify(request)),
      });
      // The deserialize step runs after signing, right before the HTTP handler sends the request.
      command.middlewareStack.add(
        (next) => async (args) => {
          sentAt ??= this.clock.now();
          return next(args);
        },
        { step: "deserialize", priority: "low", name: "sluiceCallClock" },
      );
      const out = await this.client.send(command, { abortSignal: abort.signal });
      result = classifyAnswer(out.FunctionError, out.Payload);
    } catch (err) {
      result = classifyFailure(err, abort.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    const end = this.clock.now();
    return { ...result, latencyMs: Math.max(0, end - (sentAt ?? end)) };
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
      return { outcome: "timeout", reason, call: "died" };
    }
    if (type && CRASH_TYPES.has(type)) return { outcome: "error", reason, call: "died" };
    if (type && INIT_TYPES.has(type)) return { outcome: "error", reason, call: "not-made" };
    return { outcome: "error", reason, call: "made" };
  }
  if (!parsed.ok) return { outcome: "error", reason: "worker answered a payload that is not JSON", call: "made" };
  if (!isWorkerResponse(parsed.value)) return { outcome: "error", reason: "worker answered JSON that is not a WorkerResponse", call: "made" };
  const answer = parsed.value;
  if (answer.ok) return answer.recorded === true ? { outcome: "ok", recorded: true, call: "made" } : { outcome: "ok", call: "made" };
  return {
    outcome: answer.kind,
    reason: answer.reason,
    call: answer.providerCalled === false ? "not-made" : "made",
    ...(typeof answer.retryAfterMs === "number" && answer.retryAfterMs > 0 ? { retryAfterMs: answer.retryAfterMs } : {}),
    ...(answer.kind === "landing" ? { kept: answer.kept === true } : {}),
  };
}

/** An Invoke that did not get an answer from the function. Exported for the fault search. */
export function classifyFailure(err: unknown, deadlineReached: boolean, timeoutMs: number): Classified {
  if (deadlineReached) return { outcome: "timeout", reason: `no answer within ${timeoutMs} ms`, call: "in-doubt" };
  const name = errorName(err);
  const reason = describeError(err);
  if (name && THROTTLE_ERRORS.has(name)) return { outcome: "throttled", reason, call: "not-made" };
  const status = httpStatusOf(err);
  if (status !== undefined) return { outcome: "error", reason, call: status < 500 ? "not-made" : "in-doubt" };
  return { outcome: "error", reason, call: neverSent(err) ? "not-made" : "in-doubt" };
}

function neverSent(err: unknown): boolean {
  const name = errorName(err);
  if (name && NOT_SENT_NAMES.has(name)) return true;
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : undefined;
  return code !== undefined && NOT_SENT_CODES.has(code);
}
