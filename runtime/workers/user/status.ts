/**
 * The usual meaning of an HTTP status for a provider call, as the worker
 * outcome to answer (the built-in http worker and the scaffold use it):
 *
 *   2xx            -> undefined (the caller reads the body)
 *   401, 403       -> authFailed: the credential is refused
 *   429            -> throttled, with Retry-After as retryAfterMs
 *   5xx            -> transient
 *   other 4xx      -> permanent
 *   anything else  -> transient ("unexpected status")
 */
import { authFailed, permanent, throttled, transient, type WorkerOutcome } from "./outcome";

/** "Retry-After: 7" or an HTTP date, as milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** `what` prefixes the reason (e.g. "GET https://…"). */
export function statusOutcome(response: Pick<Response, "status" | "headers">, what: string, now: number = Date.now()): WorkerOutcome | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) {
    const header = response.headers.get("retry-after");
    const wait = retryAfterMs(header, now);
    return throttled(`${what}: 429 Too Many Requests${header ? `, Retry-After ${header}` : ""}`, wait !== undefined ? { retryAfterMs: wait } : {});
  }
  if (status === 401 || status === 403) return authFailed(`${what}: ${status}: the provider refused the credential`);
  if (status >= 500) return transient(`${what}: ${status}`);
  if (status >= 400) return permanent(`${what}: ${status}`);
  return transient(`${what}: unexpected status ${status}`);
}

/** Throws the outcome of a non-2xx response; returns the response otherwise. */
export function checkStatus<R extends Pick<Response, "status" | "headers" | "url">>(response: R, what = `${response.url}`): R {
  const outcome = statusOutcome(response, what);
  if (outcome) throw outcome;
  return response;
}
