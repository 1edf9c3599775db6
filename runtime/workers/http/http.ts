/**
 * The http worker: GET one record from a provider's REST API and hand its JSON
 * body to sluice to land at `<providerId>/<day>/<encodeURIComponent(recordId)>.json`
 * (the ledger guard lands it, see workers/ledger-guard.ts).
 *
 * It never throws for a provider failure; it classifies:
 *   2xx with a JSON body            -> ok, landing { key, body }, metadata { status, bytes, key }
 *   2xx with anything else          -> error (the provider is misbehaving; retry later)
 *   401, 403                        -> auth (the credential is refused: the provider is paused)
 *   429                             -> throttled (Retry-After in the reason and as retryAfterMs)
 *   5xx, network error              -> error
 *   no answer within the timeout    -> timeout
 *   other 4xx                       -> permanent (retrying cannot help)
 *   a redirect to another origin    -> permanent (never followed: the credential would go with it)
 *   secret failure                  -> error, providerCalled: false (ours, transient until proven otherwise)
 *
 * Redirects are followed by hand, at most MAX_REDIRECTS, and only within the
 * origin (scheme, host and port) of the template's URL: fetch's own redirect
 * handling forwards a custom credential header (X-Api-Key, ...) to whatever
 * host the provider names, plain http included.
 */
import type { HttpSettings } from "../../catalog/schema";
import type { WorkerHandler, WorkerRequest, WorkerResponse } from "../contract";
import type { Fetch, SecretSource } from "./ports";

export interface HttpWorkerDeps {
  fetch: Fetch;
  secrets: SecretSource;
  /** Milliseconds the provider gets for one record (see `fetchTimeoutMs`); may depend on the invocation. */
  timeoutMs: number | (() => number);
}

export const MAX_REDIRECTS = 5;

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

/** Whether a redirect from `from` to `location` may be followed with the credential; the refusal says why. */
export function redirectVerdict(from: string, location: string | null): { follow: true; to: string } | { follow: false; why: string } {
  if (!location) return { follow: false, why: "a redirect without a Location" };
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return { follow: false, why: `a redirect to an unreadable location ${JSON.stringify(location)}` };
  }
  const origin = new URL(from);
  if (origin.protocol === "https:" && to.protocol !== "https:") return { follow: false, why: `a redirect to ${to.origin}, which is not https` };
  if (to.origin !== origin.origin) return { follow: false, why: `a redirect to another origin, ${to.origin}` };
  return { follow: true, to: to.href };
}

/** "Retry-After: 7" or an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
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

type Answer = { status: number; body: string; retryAfter: string | null; url: string };

export function httpWorker(settings: HttpSettings, deps: HttpWorkerDeps): WorkerHandler {
  /** GETs `first`, following same-origin redirects with the credential; a failure is already the worker's answer. */
  const get = async (first: string, credential: string, signal: AbortSignal): Promise<Answer | WorkerResponse> => {
    let url = first;
    for (let hop = 0; ; hop++) {
      const response = await deps.fetch(url, {
        method: "GET",
        headers: { [settings.authHeader]: credential, accept: "application/json" },
        signal,
        redirect: "manual",
      });
      if (response.status < 300 || response.status >= 400 || response.status === 304) {
        // The body is read under the same deadline: a provider can stall mid-body too.
        return { status: response.status, body: await response.text(), retryAfter: response.headers.get("retry-after"), url };
      }
      await response.body?.cancel();
      const verdict = redirectVerdict(url, response.headers.get("location"));
      if (!verdict.follow) return { ok: false, kind: "permanent", reason: `GET ${url}: ${response.status}: refused ${verdict.why} (the credential must not leave the provider's origin)` };
      if (hop + 1 > MAX_REDIRECTS) return { ok: false, kind: "error", reason: `GET ${first}: more than ${MAX_REDIRECTS} redirects` };
      url = verdict.to;
    }
  };

  return async (request: WorkerRequest): Promise<WorkerResponse> => {
    const bad = malformed(request);
    if (bad) return { ok: false, kind: "permanent", reason: bad, providerCalled: false };

    let secret: string;
    try {
      secret = await deps.secrets.getSecret(settings.secretId);
    } catch (err) {
      return { ok: false, kind: "error", reason: `credential ${settings.secretId}: ${describe(err)}`, providerCalled: false };
    }

    const url = recordUrl(settings.urlTemplate, request.recordId);
    const timeoutMs = typeof deps.timeoutMs === "function" ? deps.timeoutMs() : deps.timeoutMs;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, timeoutMs));
    let answer: Answer | WorkerResponse;
    try {
      answer = await get(url, authHeaderValue(settings.authScheme, secret), abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return { ok: false, kind: "timeout", reason: `GET ${url}: no complete answer within ${timeoutMs} ms` };
      return { ok: false, kind: "error", reason: `GET ${url}: ${networkReason(err)}` };
    } finally {
      clearTimeout(timer);
    }
    if ("ok" in answer) return answer;
    const { status, body, retryAfter } = answer;
    const where = `GET ${answer.url}`;

    if (status === 429) {
      const wait = retryAfterMs(retryAfter, Date.now());
      return { ok: false, kind: "throttled", reason: `${where}: 429 Too Many Requests${retryAfter ? `, Retry-After ${retryAfter}` : ""}`, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
    }
    if (status === 401 || status === 403) return { ok: false, kind: "auth", reason: `${where}: ${status}: the provider refused the credential ${settings.secretId}` };
    if (status >= 500) return { ok: false, kind: "error", reason: `${where}: ${status}` };
    if (status >= 400) return { ok: false, kind: "permanent", reason: `${where}: ${status}` };
    if (status < 200 || status >= 300) return { ok: false, kind: "error", reason: `${where}: unexpected status ${status}` };

    try {
      JSON.parse(body);
    } catch {
      return { ok: false, kind: "error", reason: `${where}: ${status} with a body that is not JSON` };
    }

    const key = objectKey(request);
    return { ok: true, metadata: { status, bytes: Buffer.byteLength(body), key }, landing: { key, body, contentType: "application/json; charset=utf-8" } };
  };
}
