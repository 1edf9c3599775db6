/**
 * The http worker: GET one record from a provider's REST API and land its JSON
 * body at `<providerId>/<day>/<encodeURIComponent(recordId)>.json`. It is a
 * worker like any provider's own (defineWorker, runtime/workers/user): sluice's
 * runner gives it the deadline, the same-origin redirect policy, the secret and
 * the landing; the ledger guard lands the body and marks the record done.
 *
 *   2xx with a JSON body            -> ok, lands it, metadata { status, bytes, key }
 *   2xx with anything else          -> error (the provider is misbehaving; retry later)
 *   401, 403                        -> auth (the credential is refused: the provider is paused)
 *   429                             -> throttled (Retry-After in the reason and as retryAfterMs)
 *   5xx, network error              -> error
 *   no answer within the timeout    -> timeout
 *   other 4xx                       -> permanent (retrying cannot help)
 *   a redirect to another origin    -> permanent (never followed: the credential would go with it)
 *   secret failure                  -> error, providerCalled: false
 */
import { httpSettings, type HttpSettings } from "../../catalog/schema";
import type { Log } from "../../ventilator/telemetry";
import type { WorkerHandler, WorkerRequest } from "../contract";
import { defineWorker } from "../user/define";
import type { RawFetch } from "../user/fetch";
import { landingKey } from "../user/landing-key";
import { ok, transient } from "../user/outcome";
import { runWorker } from "../user/run";
import { statusOutcome } from "../user/status";
import type { SecretSource } from "./ports";

export { MAX_REDIRECTS, redirectVerdict } from "../user/fetch";
export { retryAfterMs } from "../user/status";
export { fetchTimeoutMs } from "../deadline";

/** The name the http worker reads its credential by; the binding maps it to settings.secretId. */
export const HTTP_CREDENTIAL = "credential";
const JSON_TYPE = "application/json; charset=utf-8";


export function recordUrl(urlTemplate: string, recordId: string): string {
  return urlTemplate.split("{id}").join(encodeURIComponent(recordId));
}

export function objectKey(request: Pick<WorkerRequest, "providerId" | "day" | "recordId">): string {
  return landingKey(request, JSON_TYPE);
}

export function authHeaderValue(scheme: string, secret: string): string {
  return scheme === "" ? secret : `${scheme} ${secret}`;
}

export const httpWorkerDefinition = defineWorker(httpSettings, async (record, ctx) => {
  const settings = ctx.settings;
  const credential = await ctx.secret(HTTP_CREDENTIAL);
  const url = recordUrl(settings.urlTemplate, record.id);
  const response = await ctx.fetch(url, { method: "GET", headers: { [settings.authHeader]: authHeaderValue(settings.authScheme, credential), accept: "application/json" } });
  const where = `GET ${response.url || url}`;
  const refused = statusOutcome(response, where);
  if (refused) {
    await response.body?.cancel();
    return refused;
  }
  // Read under the same deadline as the request: a provider can stall mid-body too.
  const body = await response.text();
  try {
    JSON.parse(body);
  } catch {
    return transient(`${where}: ${response.status} with a body that is not JSON`);
  }
  ctx.land(body, { contentType: JSON_TYPE });
  return ok({ status: response.status });
});

export interface HttpWorkerDeps {
  fetch: RawFetch;
  secrets: SecretSource;
  /** Milliseconds the provider gets for one record (see `fetchTimeoutMs`); may depend on the invocation. */
  timeoutMs: number | (() => number);
  /** Log and EMF lines. @default none */
  log?: Log;
}

/** The http worker on its settings, outside Lambda (tests, tools): the same runner the Lambda entry uses. */
export function httpWorker(settings: HttpSettings, deps: HttpWorkerDeps): WorkerHandler {
  const timeoutMs = deps.timeoutMs;
  return runWorker(httpWorkerDefinition, settings, {
    fetch: deps.fetch,
    secrets: deps.secrets,
    secretIds: { [HTTP_CREDENTIAL]: settings.secretId },
    timeoutMs: typeof timeoutMs === "function" ? timeoutMs : () => timeoutMs,
    log: deps.log ?? (() => undefined),
  });
}
