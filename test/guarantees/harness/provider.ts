/**
 * The provider's API as it sees calls, and the worker's own code in front of
 * it (an http-style worker: credential, GET, classification, a body to land).
 *
 * The provider keeps every call it served: record, the provider day at its
 * start, when it started and ended, how it answered, and whether it counts
 * against the daily usage (a call refused as unauthenticated does not). A
 * call ends at the provider when it answers or when the caller goes away (the
 * worker's own deadline, or its Lambda being killed).
 */
import type { Provider } from "../../../runtime/catalog/provider";
import { providerDay } from "../../../runtime/windows/clock";
import { fetchTimeoutMs } from "../../../runtime/workers/http/http";
import type { WorkerHandler, WorkerResponse } from "../../../runtime/workers/contract";
import type { Faults, Kill } from "./faults";
import type { VirtualLoop } from "./loop";
import type { Rng } from "./rng";

export interface ProviderCall {
  recordId: string;
  /** The day the worker was asked to fetch for. */
  requestDay: string;
  /** The provider's own day at the call's start. */
  day: string;
  start: number;
  end: number | null;
  outcome: "ok" | "auth" | "throttled" | "error" | "missing" | "abandoned" | null;
  /** Counted against the daily usage limit (a refused credential is not). */
  accounted: boolean;
}

export class ProviderService {
  readonly calls: ProviderCall[] = [];
  revoked = false;
  /** Ids the provider does not know (404): a permanent failure. */
  readonly missing = new Set<string>();
  inFlight = 0;
  peakInFlight = 0;

  constructor(
    private readonly provider: Provider,
    private readonly loop: VirtualLoop,
    private readonly faults: Faults,
    private readonly rng: Rng,
  ) {}

  /** One GET, ended early when `gone` fires (the caller's deadline or death). */
  call(recordId: string, requestDay: string, gone: (end: () => void) => void): Promise<{ status: number; retryAfterS?: number }> {
    const start = this.loop.now;
    const record: ProviderCall = { recordId, requestDay, day: providerDay(this.provider.timezone, start), start, end: null, outcome: null, accounted: !this.revoked };
    this.calls.push(record);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    const timeoutMs = this.provider.worker.timeoutSeconds * 1000;
    let status = 200;
    let retryAfterS: number | undefined;
    if (this.revoked) status = 401;
    else if (this.missing.has(recordId)) status = 404;
    else if (this.faults.take("provider-throttle")) {
      status = 429;
      retryAfterS = this.rng.int(1, 30);
    } else if (this.faults.take("provider-error")) status = 500;
    const latency = this.faults.take("provider-slow") ? timeoutMs + this.rng.int(1_000, 20_000) : this.rng.int(20, Math.max(40, Math.floor(timeoutMs / 4)));
    return new Promise((resolve) => {
      let ended = false;
      const end = (outcome: ProviderCall["outcome"]) => {
        if (ended) return false;
        ended = true;
        record.end = this.loop.now;
        record.outcome = outcome;
        this.inFlight--;
        return true;
      };
      gone(() => end("abandoned"));
      this.loop.at(start + latency, () => {
        const outcome = status === 200 ? "ok" : status === 401 ? "auth" : status === 429 ? "throttled" : status === 404 ? "missing" : "error";
        if (end(outcome)) resolve({ status, ...(retryAfterS !== undefined ? { retryAfterS } : {}) });
      });
    });
  }
}

/** The worker's own code (what a user's worker does), against the provider model, within its own deadline. */
export function modelWorker(provider: Provider, service: ProviderService, deps: { loop: VirtualLoop; faults: Faults; kill: Kill }): WorkerHandler {
  const { loop, faults, kill } = deps;
  return async (request): Promise<WorkerResponse> => {
    if (faults.take("secret-failure")) return { ok: false, kind: "error", reason: "credential: AccessDeniedException", providerCalled: false };
    const deadline = fetchTimeoutMs(provider.worker.timeoutSeconds * 1000);
    const answer = await new Promise<{ status: number; retryAfterS?: number } | "timeout">((resolve) => {
      service
        .call(request.recordId, request.day, (end) => {
          loop.at(loop.now + deadline, () => {
            end();
            resolve("timeout");
          });
          kill.whenKilled(end);
        })
        .then(resolve, () => undefined);
    });
    if (answer === "timeout") return { ok: false, kind: "timeout", reason: `no answer within ${deadline} ms` };
    if (faults.take("worker-crash")) throw new CrashAfterFetch(request.recordId);
    switch (answer.status) {
      case 200: {
        const key = `${provider.id}/${request.day}/${request.recordId}.json`;
        return { ok: true, metadata: { key }, landing: { key, body: JSON.stringify({ id: request.recordId, day: request.day }) } };
      }
      case 401:
        return { ok: false, kind: "auth", reason: "GET: 401: the provider refused the credential" };
      case 404:
        return { ok: false, kind: "permanent", reason: "GET: 404" };
      case 429:
        return { ok: false, kind: "throttled", reason: "GET: 429", retryAfterMs: (answer.retryAfterS ?? 1) * 1000 };
      default:
        return { ok: false, kind: "error", reason: `GET: ${answer.status}` };
    }
  };
}

/** The worker's process dies between its fetch and its guard's write. */
export class CrashAfterFetch extends Error {
  constructor(recordId: string) {
    super(`worker crashed after fetching ${recordId}`);
    this.name = "Runtime.ExitError";
  }
}

/** The landing store (S3) with its armed failures. */
export class LandingModel {
  readonly objects = new Map<string, string>();
  constructor(private readonly faults: Faults) {}
  async put(key: string, body: string): Promise<void> {
    if (this.faults.take("landing-failure")) throw new Error("PutObject: ServiceUnavailable (injected)");
    this.objects.set(key, body);
  }
}
