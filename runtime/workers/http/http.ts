/**
 * The http worker: GET one record from a provider's REST API and land its JSON
 * body in S3 at `<providerId>/<day>/<encodeURIComponent(recordId)>.json`.
 *
 * It never throws for a provider failure; it classifies:
 *   2xx with a JSON body            -> ok { status, bytes, key }
 *   2xx with anything else          -> error (the provider is misbehaving; retry later)
 *   429                             -> throttled (Retry-After in the reason)
 *   5xx, network error              -> error
 *   no answer within the timeout    -> timeout
 *   other 4xx                       -> permanent (retrying cannot help)
 *   secret or S3 failure            -> error (ours, transient until proven otherwise)
 */
import type { HttpSettings } from "../../catalog/schema";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import type { Fetch, ObjectStore, SecretSource } from "./ports";

export interface HttpWorkerDeps {
  fetch: Fetch;
  store: ObjectStore;
  secrets: SecretSource;
  /** Milliseconds the provider gets for one record (see `fetchTimeoutMs`); may depend on the invocation. */
  timeoutMs: number | (() => number);
}

/**
 * Leaves the worker time to classify, land the body and answer before its own
 * Lambda timeout would cut it off: timeout − min(5 s, 20 % of it), at least 100 ms.
 */
export function fetchTimeoutMs(workerTimeoutMs: number): number {
  return Math.max(100, Math.floor(workerTimeoutMs - Math.min(5_000, workerTimeoutMs * 0.2)));
}

export function recordUrl(urlTemplate: string, recordId: string): string {
  return urlTemplate.split("{id}").join(encodeURIComponent(recordId));
}

export function objectKey(request: Pick<WorkerRequest, "providerId" | "day" | "recordId">): string {
  return `${request.providerId}/${request.day}/${encodeURIComponent(request.recordId)}.json`;
}

export function authHeaderValue(scheme: string, secret: string): string {
  return scheme === "" ? secret : `${scheme} ${secret}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Network errors from fetch hide their code in `cause` (ECONNREFUSED, ECONNRESET...). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return code ? `${describe(err)} (${code})` : describe(err);
}

function malformed(request: unknown): string | undefined {
  const r = request as Partial<WorkerRequest> | null;
  if (r === null || typeof r !== "object") return "request is not an object";
  for (const field of ["providerId", "recordId", "day"] as const) {
    if (typeof r[field] !== "string" || r[field] === "") return `request.${field} must be a non-empty string`;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.day!)) return `request.day ${JSON.stringify(r.day)} must be YYYY-MM-DD`;
  return undefined;
}

export function httpWorker(settings: HttpSettings, deps: HttpWorkerDeps): WorkerHandler {
  return async (request: WorkerRequest): Promise<WorkerResponse> => {
    const bad = malformed(request);
    if (bad) return { ok: false, kind: "permanent", reason: bad };

    let secret: string;
    try {
      secret = await deps.secrets.getSecret(settings.secretId);
    } catch (err) {
      return { ok: false, kind: "error", reason: `credential ${settings.secretId}: ${describe(err)}` };
    }

    const url = recordUrl(settings.urlTemplate, request.recordId);
    const timeoutMs = typeof deps.timeoutMs === "function" ? deps.timeoutMs() : deps.timeoutMs;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, timeoutMs));
    let status: number;
    let body: string;
    let retryAfter: string | null;
    try {
      const response = await deps.fetch(url, {
        method: "GET",
        headers: { [settings.authHeader]: authHeaderValue(settings.authScheme, secret), accept: "application/json" },
        signal: abort.signal,
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      // The body is read under the same deadline: a provider can stall mid-body too.
      body = await response.text();
    } catch (err) {
      if (abort.signal.aborted) return { ok: false, kind: "timeout", reason: `GET ${url}: no complete answer within ${timeoutMs} ms` };
      return { ok: false, kind: "error", reason: `GET ${url}: ${networkReason(err)}` };
    } finally {
      clearTimeout(timer);
    }

    if (status === 429) {
      return { ok: false, kind: "throttled", reason: `GET ${url}: 429 Too Many Requests${retryAfter ? `, Retry-After ${retryAfter}` : ""}` };
    }
    if (status >= 500) return { ok: false, kind: "error", reason: `GET ${url}: ${status}` };
    if (status >= 400) return { ok: false, kind: "permanent", reason: `GET ${url}: ${status}` };
    if (status < 200 || status >= 300) return { ok: false, kind: "error", reason: `GET ${url}: unexpected status ${status}` };

    try {
      JSON.parse(body);
    } catch {
      return { ok: false, kind: "error", reason: `GET ${url}: ${status} with a body that is not JSON` };
    }

    const key = objectKey(request);
    try {
      await deps.store.putJson(key, body);
    } catch (err) {
      return { ok: false, kind: "error", reason: `landing ${key}: ${describe(err)}` };
    }
    return { ok: true, metadata: { status, bytes: Buffer.byteLength(body), key } };
  };
}
