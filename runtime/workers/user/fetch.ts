/**
 * `ctx.fetch`: global fetch as a worker may use it towards its provider.
 *
 * - Deadline: every request (and the reading of its body) is aborted when the
 *   record's deadline passes (fetchTimeoutMs of the time left); the worker then
 *   answers `timeout`.
 * - Redirects are followed by hand, at most MAX_REDIRECTS, and only within the
 *   origin (scheme, host and port) of the URL the worker asked for: fetch's own
 *   redirect handling forwards custom credential headers (X-Api-Key, …) to
 *   whatever host the provider names, plain http included. Any other redirect
 *   is a `permanent` outcome, thrown. 303 turns the request into a GET.
 * - A network failure is a `transient` outcome, thrown, naming the method, URL
 *   and the system error code.
 */
import { permanent, transient, WorkerOutcome, OUTCOME } from "./outcome";

export const MAX_REDIRECTS = 5;

/** The fetch a runtime hands in (global fetch in Lambda; tests may wrap it). */
export type RawFetch = (url: string, init: RequestInit) => Promise<Response>;

export type WorkerFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

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

function describe(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Network errors from fetch hide their code in `cause` (ECONNREFUSED, ECONNRESET...). */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  return code ? `${describe(err)} (${code})` : describe(err);
}

export interface GuardedFetchOptions {
  fetch: RawFetch;
  /** Aborted when the record's deadline passes. */
  deadline: AbortSignal;
  /** The deadline in ms, for the reason of a timeout. */
  deadlineMs: () => number;
  /** Called before each request leaves: the provider is being called. */
  onCall?: () => void;
}

export function guardedFetch(opts: GuardedFetchOptions): WorkerFetch {
  return async (input, init = {}) => {
    const first = typeof input === "string" ? input : input.href;
    const signal = init.signal ? AbortSignal.any([init.signal, opts.deadline]) : opts.deadline;
    let url = first;
    let request: RequestInit = { ...init, signal, redirect: "manual" };
    for (let hop = 0; ; hop++) {
      const method = (request.method ?? "GET").toUpperCase();
      let response: Response;
      try {
        opts.onCall?.();
        response = await opts.fetch(url, request);
      } catch (err) {
        if (opts.deadline.aborted) throw new WorkerOutcome(OUTCOME.TIMEOUT, `${method} ${url}: no complete answer within ${opts.deadlineMs()} ms`);
        if (err instanceof WorkerOutcome) throw err;
        throw transient(`${method} ${url}: ${networkReason(err)}`);
      }
      if (response.status < 300 || response.status >= 400 || response.status === 304) return response;
      await response.body?.cancel();
      const verdict = redirectVerdict(url, response.headers.get("location"));
      if (!verdict.follow) throw permanent(`${method} ${url}: ${response.status}: refused ${verdict.why} (the credential must not leave the provider's origin)`);
      if (hop + 1 > MAX_REDIRECTS) throw transient(`${method} ${first}: more than ${MAX_REDIRECTS} redirects`);
      url = verdict.to;
      if (response.status === 303 && method !== "GET" && method !== "HEAD") {
        const { body: _body, ...rest } = request;
        request = { ...rest, method: "GET" };
      }
    }
  };
}
