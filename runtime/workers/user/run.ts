/**
 * sluice's side of a user's worker: it turns `defineWorker`'s function into the
 * WorkerHandler the ledger guard wraps and the ventilator invokes.
 *
 * Per record it builds the context (deadline, guarded fetch, secrets by their
 * catalog names, the landing, a logger), runs the function, and classifies
 * what comes back:
 *   ok() / nothing                 -> ok, with what ctx.land was given as the landing
 *   a WorkerOutcome, returned or thrown -> its kind (throttled keeps retryAfterMs)
 *   the deadline passed            -> timeout (the function's late work is ignored)
 *   any other exception            -> error (transient), its message as the reason
 * A transient failure before any request left (a secret that could not be
 * read) says providerCalled: false, so the attempt is given back.
 * One EMF line per call (metrics.ts).
 */
import type { Log } from "../../ventilator/telemetry";
import type { WorkerHandler, WorkerRequest, WorkerResponse, Landing } from "../contract";
import type { SecretSource } from "../http/ports";
import type { LandOptions, LogFields, WorkerContext, WorkerDefinition, WorkerLogger } from "./define";
import { guardedFetch, type RawFetch } from "./fetch";
import { landingKey } from "./landing-key";
import { workerEmfLine } from "./metrics";
import { isOk, isWorkerOutcome, OUTCOME, permanent, transient, WorkerOutcome } from "./outcome";

export interface WorkerRuntime {
  fetch: RawFetch;
  /** Secrets by id (Secrets Manager in Lambda, the environment or a file locally). */
  secrets: SecretSource;
  /** The catalog's worker.secrets: the name a worker asks for → the secret id. */
  secretIds: Readonly<Record<string, string>>;
  /** Milliseconds a record gets (the worker timeout less the margin to answer; see fetchTimeoutMs). */
  timeoutMs: () => number;
  /** Log and EMF lines. @default JSON lines on stdout */
  log?: Log;
  /** @default "Sluice" */
  metricsNamespace?: string;
  /** @default Date.now */
  now?: () => number;
}

const stdoutLog: Log = (line) => void process.stdout.write(JSON.stringify(line) + "\n");

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** A request the ventilator could not have sent: nothing is fetched. */
export function malformedRequest(request: unknown): string | undefined {
  const r = request as Partial<WorkerRequest> | null;
  if (r === null || typeof r !== "object") return "request is not an object";
  for (const field of ["providerId", "recordId", "day"] as const) {
    if (typeof r[field] !== "string" || r[field] === "") return `request.${field} must be a non-empty string`;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.day!)) return `request.day ${JSON.stringify(r.day)} must be YYYY-MM-DD`;
  return undefined;
}

function logger(log: Log, request: WorkerRequest): WorkerLogger {
  const at = (level: string) => (message: string, fields?: LogFields) =>
    log({ level, message, provider: request.providerId, recordId: request.recordId, ...(fields ?? {}) });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export function runWorker<S>(definition: WorkerDefinition<S>, settings: S, runtime: WorkerRuntime): WorkerHandler {
  const log = runtime.log ?? stdoutLog;
  const now = runtime.now ?? Date.now;
  const namespace = runtime.metricsNamespace ?? "Sluice";

  const secret = (name: string): Promise<string> => {
    const id = runtime.secretIds[name];
    if (id === undefined) {
      const known = Object.keys(runtime.secretIds);
      return Promise.reject(permanent(`ctx.secret(${JSON.stringify(name)}): no secret of that name in the catalog's worker.secrets (${known.length ? `declared: ${known.join(", ")}` : "none declared"})`));
    }
    return runtime.secrets.getSecret(id).catch((err: unknown) => {
      throw new WorkerOutcome(OUTCOME.TRANSIENT, `secret ${JSON.stringify(name)} (${id}): ${describe(err)}`);
    });
  };

  const call = async (request: WorkerRequest): Promise<WorkerResponse> => {
    const bad = malformedRequest(request);
    if (bad) return { ok: false, kind: "permanent", reason: bad, providerCalled: false };

    const timeoutMs = Math.max(0, runtime.timeoutMs());
    const started = now();
    const abort = new AbortController();
    let called = false;
    let answered = false;
    let landing: Landing | undefined;

    const land = (body: string | object, opts: LandOptions = {}): string => {
      if (answered) throw new Error("ctx.land was called after the worker answered (its deadline had passed)");
      if (landing) throw new Error(`ctx.land was called twice for record ${JSON.stringify(request.recordId)}: one body per record`);
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const contentType = opts.contentType ?? (typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8");
      const key = landingKey(request, contentType, opts.key);
      landing = { key, body: text, contentType };
      return key;
    };
    const ctx: WorkerContext<S> = {
      providerId: request.providerId,
      day: request.day,
      settings,
      secret,
      fetch: guardedFetch({ fetch: runtime.fetch, deadline: abort.signal, deadlineMs: () => timeoutMs, onCall: () => (called = true) }),
      land,
      log: logger(log, request),
      remainingMs: () => Math.max(0, timeoutMs - (now() - started)),
      signal: abort.signal,
    };

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new WorkerOutcome(OUTCOME.TIMEOUT, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    let response: WorkerResponse;
    try {
      const result = await Promise.race([Promise.resolve().then(() => definition.run({ id: request.recordId, ...(request.payload !== undefined ? { payload: request.payload } : {}) }, ctx)), deadline]);
      if (isWorkerOutcome(result)) throw result;
      if (result !== undefined && !isOk(result)) throw transient(`the worker returned ${describe(result)}: expected ok(), an outcome, or nothing`);
      const metadata = { ...(isOk(result) ? result.metadata : {}), ...(landing ? { key: landing.key, bytes: Buffer.byteLength(landing.body) } : {}) };
      response = { ok: true, ...(Object.keys(metadata).length > 0 ? { metadata } : {}), ...(landing ? { landing } : {}) };
    } catch (err) {
      const outcome = isWorkerOutcome(err)
        ? err
        : abort.signal.aborted
          ? new WorkerOutcome(OUTCOME.TIMEOUT, `no complete answer within ${timeoutMs} ms (${describe(err)})`)
          : transient(describe(err));
      response = {
        ok: false,
        kind: outcome.kind,
        reason: outcome.message,
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
        ...(!called && outcome.kind === OUTCOME.TRANSIENT ? { providerCalled: false } : {}),
      };
    } finally {
      answered = true;
      clearTimeout(timer);
      abort.abort();
    }
    log(
      workerEmfLine(namespace, request.providerId, now(), response.ok ? "ok" : response.kind, now() - started, {
        recordId: request.recordId,
        ...(response.ok ? {} : { reason: response.reason }),
      }),
    );
    return response;
  };
  return call;
}
