/**
 * One record through a provider's worker, on this machine: `sluice worker try`
 * and the scaffolded tests. The worker runs behind the ledger guard without a
 * ledger (nothing is recorded) and with a landing store that keeps what would
 * be landed, so the answer is exactly what the ventilator would get.
 */
import * as path from "node:path";
import { loadCatalog, DEFAULT_CATALOG } from "../../runtime/catalog/load";
import type { Provider } from "../../runtime/catalog/provider";
import { ProblemsError } from "../../runtime/errors";
import { providerDay } from "../../runtime/windows/clock";
import type { Landing, WorkerResponse } from "../../runtime/workers/contract";
import { fetchTimeoutMs } from "../../runtime/workers/deadline";
import { withLedgerGuard } from "../../runtime/workers/ledger-guard";
import type { RawFetch } from "../../runtime/workers/user/fetch";
import { isCustomProvider } from "../../runtime/workers/user/load";
import type { ChaosSettings } from "../../runtime/catalog/schema";
import type { Stub } from "./define";
import { loadStub } from "./load";
import { localWorkerHandler } from "./local-worker";
import { startStubServer, type StubServer } from "./server";

export interface TryOptions {
  /** Provider id in the catalog. */
  provider: string;
  record: string;
  payload?: unknown;
  /** Run against the provider's stub (workers/<id>.stub.ts), or this one; false: the real API. @default false */
  stub?: boolean | Stub;
  /** Chaos injected by the stub. @default none */
  profile?: ChaosSettings;
  /** @default providers.json */
  catalog?: string;
  /** For a run against the real API. @default .sluice/secrets.json */
  secretsFile?: string;
  /** @default the provider's day now */
  day?: string;
  fetch?: RawFetch;
}

export interface TryResult {
  provider: Provider;
  request: { providerId: string; recordId: string; day: string; payload?: unknown };
  response: WorkerResponse;
  latencyMs: number;
  /** What the worker handed to land (sluice would put it in S3). */
  landed?: Landing;
  /** What the worker logged (JSON lines, EMF included). */
  logs: Record<string, unknown>[];
}

export interface WorkerSession {
  provider: Provider;
  /** The stub's server, when running against the stub. */
  server?: StubServer;
  /** One record through the worker; sessions keep the worker's container state (cached tokens…) between records. */
  run(record: string, opts?: { payload?: unknown; day?: string }): Promise<TryResult>;
  close(): Promise<void>;
}

/** A provider's worker, ready to take records (like one warm container), against its stub or the real API. */
export async function openWorker(opts: Omit<TryOptions, "record" | "payload" | "day">): Promise<WorkerSession> {
  const catalogFile = path.resolve(opts.catalog ?? DEFAULT_CATALOG);
  const catalog = loadCatalog(catalogFile);
  const provider = catalog.providers.find((p) => p.id === opts.provider);
  if (!provider) throw new ProblemsError([`provider "${opts.provider}" is not in ${path.basename(catalogFile)} (known: ${catalog.providers.map((p) => p.id).join(", ")})`]);
  let stub: Stub | undefined;
  if (opts.stub === true) {
    if (!isCustomProvider(provider)) throw new ProblemsError([`provider "${provider.id}": only a provider's own worker module has a stub (worker.module is "${provider.worker.module}")`]);
    stub = loadStub(provider, catalogFile).stub;
  } else if (opts.stub) stub = opts.stub;
  const server = stub ? await startStubServer(stub, opts.profile ? { profile: opts.profile } : {}) : undefined;
  let logs: Record<string, unknown>[] = [];
  let landed: Landing | undefined;
  let guarded;
  try {
    const handler = localWorkerHandler({
      provider,
      catalogFile,
      ...(stub && server ? { stub: { stub, server } } : {}),
      ...(opts.secretsFile !== undefined ? { secretsFile: opts.secretsFile } : {}),
      timeoutMs: () => fetchTimeoutMs(provider.worker.timeoutSeconds * 1000),
      log: (line) => void logs.push(line),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    guarded = withLedgerGuard(handler, {
      land: { put: async (key, body, contentType) => void (landed = { key, body, ...(contentType !== undefined ? { contentType } : {}) }) },
      clock: { now: Date.now },
    });
  } catch (err) {
    await server?.close();
    throw err;
  }
  const worker = guarded;
  return {
    provider,
    ...(server ? { server } : {}),
    async run(record, runOpts = {}) {
      logs = [];
      landed = undefined;
      const request = {
        providerId: provider.id,
        recordId: record,
        day: runOpts.day ?? providerDay(provider.timezone, Date.now()),
        ...(runOpts.payload !== undefined ? { payload: runOpts.payload } : {}),
      };
      const started = performance.now();
      const response = await worker(request);
      const latencyMs = Math.round(performance.now() - started);
      const kept = landed as Landing | undefined;
      return { provider, request, response, latencyMs, ...(kept ? { landed: kept } : {}), logs };
    },
    close: async () => {
      await server?.close();
    },
  };
}

/** One record through a provider's worker (`sluice worker try`). */
export async function tryWorker(opts: TryOptions): Promise<TryResult> {
  const session = await openWorker(opts);
  try {
    return await session.run(opts.record, { ...(opts.payload !== undefined ? { payload: opts.payload } : {}), ...(opts.day !== undefined ? { day: opts.day } : {}) });
  } finally {
    await session.close();
  }
}
