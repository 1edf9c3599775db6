/**
 * Serves a stub provider (define.ts) on 127.0.0.1, with a simulated profile's
 * chaos injected before the stub answers, drawn as the chaos worker draws
 * (runtime/workers/chaos/chaos.ts, the same functions):
 *   latency   slowMs for slowPercentage of requests, else baseLatencyMs ± 10 %
 *   500       for errorPercentage of requests
 *   429       (Retry-After: 1) for throttlePercentage of them
 * The profile object is read at every request: changing it (a local scenario
 * step) changes the provider at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChaosSettings } from "../../runtime/catalog/schema";
import { chaosLatency, chaosOutcome } from "../../runtime/workers/chaos/chaos";
import type { Stub, StubRequest, StubResponse } from "./define";

export const QUIET_PROFILE: ChaosSettings = { baseLatencyMs: 0, slowPercentage: 0, slowMs: 0, errorPercentage: 0, throttlePercentage: 0 };

export interface StubServerOptions {
  /** Read at every request. @default QUIET_PROFILE */
  profile?: ChaosSettings;
  random?: () => number;
  /** @default 0: any free port */
  port?: number;
}

export interface StubServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** worker.settings overrides pointing a worker at this server. */
  settings: Record<string, unknown>;
  /** Requests served so far, by how they were answered. */
  counts: { answered: number; injectedErrors: number; injectedThrottles: number };
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, answer: StubResponse): void {
  const headers: Record<string, string> = { ...(answer.headers ?? {}) };
  let body = answer.body ?? "";
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json);
    headers["content-type"] ??= "application/json";
  }
  res.writeHead(answer.status ?? 200, headers);
  res.end(body);
}

/** The id in `path` when it matches `route` ("/items/{id}"), decoded. */
export function matchRoute(route: string, path: string): string | undefined {
  const [before, after = ""] = route.split("{id}");
  if (before === undefined || !path.startsWith(before) || !path.endsWith(after) || path.length <= before.length + after.length) return undefined;
  const segment = path.slice(before.length, path.length - after.length);
  if (segment.includes("/")) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function answer(stub: Stub, request: StubRequest): Promise<StubResponse> {
  const handled = await stub.handle?.(request);
  if (handled) return handled;
  const records = stub.records;
  const id = records ? matchRoute(records.route, request.path) : undefined;
  if (records && id !== undefined) {
    const canned = records.responses?.[id];
    if (canned) return canned;
    const other = await records.otherwise?.(id, request);
    if (other) return other;
    return { status: 404, json: { error: `no record ${id}` } };
  }
  return { status: 404, json: { error: `the stub has no route for ${request.method} ${request.path}` } };
}

export async function startStubServer(stub: Stub, opts: StubServerOptions = {}): Promise<StubServer> {
  const random = opts.random ?? Math.random;
  const counts = { answered: 0, injectedErrors: 0, injectedThrottles: 0 };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://stub");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
      const request: StubRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers, body: await readBody(req) };
      const profile = opts.profile ?? QUIET_PROFILE;
      if (stub.inject?.(request) ?? true) {
        const { latencyMs } = chaosLatency(profile, random(), random());
        const outcome = chaosOutcome(profile, random());
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        if (outcome === "error") {
          counts.injectedErrors++;
          return send(res, { status: 500, json: { error: "injected by the stub's profile" } });
        }
        if (outcome === "throttled") {
          counts.injectedThrottles++;
          return send(res, { status: 429, headers: { "retry-after": "1" }, json: { error: "injected by the stub's profile" } });
        }
      }
      send(res, await answer(stub, request));
      counts.answered++;
    } catch (err) {
      send(res, { status: 500, json: { error: `the stub failed: ${(err as Error).message}` } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    settings: stub.settings?.(url) ?? {},
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
