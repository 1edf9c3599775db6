/**
 * End-to-end fixtures: the real engines (kinesis-mock, DynamoDB Local, the
 * Lambda emulator) shared by a test file, and one pipeline per scenario. Each
 * pipeline's ventilator is the deployed Lambda entry, built from the
 * function environment the Pulumi component sets (local/pipeline.ts).
 * Time is compressed through configuration: sub-second schedules, small
 * thresholds, short breaker waits (the mapping's update interval travels in
 * the environment, as SLUICE_MAPPING_MIN_UPDATE_INTERVAL_MS).
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { startLocalEngines, type LocalEngines } from "../../local/engines";
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from "../../local/pipeline";
import type { Provider } from "../../runtime/catalog/provider";
import type { ChaosSettings, ProviderInput } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { LEDGER_STATUS, type LedgerEntry } from "../../runtime/ledger/types";
import { providerDay } from "../../runtime/windows/clock";
import { useDynamoDbLocal } from "../support/dynamodb";
import { eventually } from "../support/eventually";

export function useEngines(): () => LocalEngines {
  const dynamo = useDynamoDbLocal();
  let engines: LocalEngines | undefined;
  before(async function () {
    this.timeout(90_000);
    engines = await startLocalEngines({ dynamoEndpoint: dynamo.endpoint, updateDelayMs: 200 });
  });
  after(async function () {
    this.timeout(30_000);
    await engines?.stop();
  });
  return () => {
    if (!engines) throw new Error("engines are available inside tests only");
    return engines;
  };
}

let serial = 0;

/** A provider built through the catalog's own validation, with a unique id per scenario. */
export function e2eProvider(overrides: Partial<ProviderInput> = {}): Provider {
  serial += 1;
  return validateProvider({
    id: `e2e-${process.pid}-${serial}`,
    maxConcurrency: 5,
    maxFanOut: 5,
    latencyThresholdMs: 400,
    errorRateThreshold: 0.3,
    maxAttempts: 3,
    worker: { module: "chaos", timeoutSeconds: 1 },
    // Failed records wait a second before their next attempt (the catalog's 10 s would only slow the scenarios).
    ledger: { retryBackoffSeconds: 1 },
    controller: { strategy: "adaptive", minUpdateIntervalSeconds: 0, breaker: { baseIntervalMinutes: 0.02, maxIntervalMinutes: 0.05, probesToClose: 2 } },
    ...overrides,
  });
}

export function chaosProfile(overrides: Partial<ChaosSettings> = {}): ChaosSettings {
  return { baseLatencyMs: 20, slowPercentage: 0, slowMs: 0, errorPercentage: 0, throttlePercentage: 0, ...overrides };
}

export async function startPipeline(engines: LocalEngines, opts: Partial<LocalPipelineOptions> & { provider: Provider }): Promise<LocalPipeline> {
  return startLocalPipeline(engines, {
    chaos: chaosProfile(),
    rearmIntervalMs: 300,
    pollIntervalMs: 100,
    ventilatorTimeoutMs: 15_000,
    mappingUpdateIntervalMs: 0,
    handBackPauseMs: 300,
    ...opts,
  });
}

export function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
}

export async function entries(pipeline: LocalPipeline, recordIds: readonly string[], now = Date.now()): Promise<Map<string, LedgerEntry | null>> {
  const ledger = pipeline.ledger();
  const day = providerDay(pipeline.provider.timezone, now);
  const found = await Promise.all(recordIds.map((id) => ledger.entry(id, day)));
  return new Map(recordIds.map((id, i) => [id, found[i] ?? null]));
}

/** Waits until every record is done or dead in the ledger and no batch is still running. */
export async function settle(pipeline: LocalPipeline, recordIds: readonly string[], timeoutMs: number, now: () => number = Date.now): Promise<Map<string, LedgerEntry | null>> {
  let found = new Map<string, LedgerEntry | null>();
  const unsettled = () => [...found.entries()].filter(([, e]) => e === null || (e.status !== LEDGER_STATUS.DONE && e.status !== LEDGER_STATUS.DEAD));
  await eventually(
    () => `all records settled; ${unsettled().length} are not, e.g. ${JSON.stringify(unsettled().slice(0, 5))}`,
    async () => {
      found = await entries(pipeline, recordIds, now());
      // The worker marks a record done before its batch ends: wait for the batch too, so its log
      // line and its delivery are there for the assertions that follow.
      return unsettled().length === 0 && pipeline.mapping.poller.shards.every((s) => !s.inFlight);
    },
    timeoutMs,
    200,
  );
  return found;
}

/** Successful fetches per record, from the provider's own record of calls. */
export function okCallsPerRecord(pipeline: LocalPipeline): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of pipeline.calls) if (c.outcome === "ok") counts.set(c.recordId, (counts.get(c.recordId) ?? 0) + 1);
  return counts;
}

/**
 * An HTTP proxy in front of DynamoDB Local that holds the first request matching `match` for
 * `stallMs` before passing it on: a slow write, seen by the one client that goes through it.
 */
export async function stallingProxy(target: string, match: (body: string) => boolean, stallMs: number): Promise<{ endpoint: string; stalled: () => boolean; close: () => Promise<void> }> {
  let stalled = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const hold = !stalled && match(body.toString("utf8"));
      if (hold) stalled = true;
      setTimeout(
        () => {
          const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          });
          upstream.on("error", () => res.destroy());
          upstream.end(body);
        },
        hold ? stallMs : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalled: () => stalled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function batchLines(pipeline: LocalPipeline): Record<string, unknown>[] {
  return pipeline.logs.filter((l) => l.message === "batch");
}

export function scheduleLines(pipeline: LocalPipeline): Record<string, unknown>[] {
  return pipeline.logs.filter((l) => l.message === "schedule");
}
