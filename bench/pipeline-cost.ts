/**
 * What one record costs on the real engines, measured from DynamoDB's and the
 * Lambda emulator's own counters: DynamoDB requests and write capacity units
 * per record on a healthy run, and Lambda control-plane calls per hour for one
 * provider through an outage. Time is compressed by SPEED; every interval of
 * the pipeline (breaker waits, the re-arm schedule, the mapping's cache and
 * update spacing, the hand-back pause) is divided by it, so calls per
 * compressed hour ÷ SPEED are calls per real hour. The records' retry backoff
 * is set in whole seconds and cannot be compressed: the outage runs without it.
 *
 *   npx tsx bench/pipeline-cost.ts [records=400] [speed=300]
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { startLocalEngines } from "../local/engines";
import { startLocalPipeline, type LocalPipeline } from "../local/pipeline";
import { validateProvider } from "../runtime/catalog/validate";
import { dynamoClient } from "../runtime/aws/clients";
import { DynamoDbLedgerStore } from "../runtime/ledger/dynamodb-store";
import { Ledger, ledgerSettings } from "../runtime/ledger/ledger";
import { MAPPING_CONTROL_DEFAULTS } from "../runtime/mapping/settings";
import { LEDGER_STATUS } from "../runtime/ledger/types";
import { HAND_BACK_PAUSE_MS } from "../runtime/ventilator/batch";
import { providerDay } from "../runtime/windows/clock";

const RECORDS = Number(process.argv[2] ?? 400);
const SPEED = Number(process.argv[3] ?? 300);

interface Usage {
  requests: Map<string, number>;
  writeUnits: number;
  readUnits: number;
}

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);
/** The operations that answer with their consumed capacity when asked. */
const CAPACITY_OPERATIONS = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"]);

function count(usage: Usage, name: string, consumed: number | undefined): void {
  usage.requests.set(name, (usage.requests.get(name) ?? 0) + 1);
  if (WRITES.has(name)) usage.writeUnits += consumed ?? 1;
  else usage.readUnits += consumed ?? (name.startsWith("Describe") ? 0 : 0.5);
}

/**
 * The ventilator runs in its own execution environments with a DynamoDB client built from its
 * environment, so its requests are counted on the wire: a proxy in front of DynamoDB Local that asks
 * for the consumed capacity of every request it forwards while counting.
 */
async function countingProxy(target: string, usage: Usage, counting: () => boolean): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      const operation = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "unknown";
      const measured = counting();
      if (measured && CAPACITY_OPERATIONS.has(operation)) {
        body = Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString("utf8")) as object), ReturnConsumedCapacity: "TOTAL" }));
      }
      const headers = { ...req.headers, "content-length": String(body.length) };
      const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("end", () => {
          const text = Buffer.concat(parts);
          if (measured) {
            let consumed: number | undefined;
            try {
              const parsed = JSON.parse(text.toString("utf8")) as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
              const c = parsed.ConsumedCapacity;
              consumed = Array.isArray(c) ? c.reduce((a, x) => a + (x.CapacityUnits ?? 0), 0) : c?.CapacityUnits;
            } catch {
              consumed = undefined;
            }
            count(usage, `${operation}Command`, consumed);
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(text);
        });
      });
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls the ledger through a client of its own, so the polling is not counted as the pipeline's cost. */
async function settled(pipeline: LocalPipeline, ids: string[], endpoint: string): Promise<void> {
  const day = providerDay(pipeline.provider.timezone, Date.now());
  const store = new DynamoDbLedgerStore({ tableName: pipeline.names.table, client: dynamoClient({ endpoint }) });
  for (;;) {
    const ledger = new Ledger(store, ledgerSettings(pipeline.provider));
    const entries = await Promise.all(ids.map((id) => ledger.entry(id, day)));
    if (entries.every((e) => e && (e.status === LEDGER_STATUS.DONE || e.status === LEDGER_STATUS.DEAD))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const engines = await startLocalEngines({ updateDelayMs: Math.max(10, Math.round(1_000 / SPEED)) });
  const usage: Usage = { requests: new Map(), writeUnits: 0, readUnits: 0 };
  let counting = false;
  // Counts every request the in-process worker guard's DynamoDB client sends, and asks DynamoDB what each consumed.
  engines.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? "unknown";
      if (counting && CAPACITY_OPERATIONS.has(name.replace(/Command$/, ""))) (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      const result = await next(args);
      if (counting) count(usage, name, (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits);
      return result;
    },
    { step: "initialize", name: "sluiceUsageCounter" },
  );
  // ... and the ventilator's, on the wire.
  const proxy = await countingProxy(engines.dynamoEndpoint, usage, () => counting);
  const environment = { AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint };
  try {
    // Healthy: requests per record.
    const healthy = validateProvider({ id: "cost-healthy", maxConcurrency: 10, maxFanOut: 10, latencyThresholdMs: 1000, worker: { module: "chaos", timeoutSeconds: 5 } });
    const h = await startLocalPipeline(engines, {
      provider: healthy,
      chaos: { baseLatencyMs: 20, slowPercentage: 0, slowMs: 0, errorPercentage: 0, throttlePercentage: 0 },
      pollIntervalMs: 100,
      rearmIntervalMs: 600_000,
      environment,
    });
    const ids = Array.from({ length: RECORDS }, (_, i) => `cost-${i}`);
    counting = true;
    const started = Date.now();
    await h.enqueue(ids.map((id) => ({ id })));
    await settled(h, ids, engines.dynamoEndpoint);
    counting = false;
    const elapsed = Date.now() - started;
    await h.stop();
    const total = [...usage.requests.values()].reduce((a, b) => a + b, 0);
    console.log(`healthy run: ${RECORDS} records in ${(elapsed / 1000).toFixed(1)} s, ${h.mapping.poller.batches.length} batches`);
    console.log(`  DynamoDB requests: ${total} (${(total / RECORDS).toFixed(2)} per record)`);
    for (const [name, n] of [...usage.requests.entries()].sort()) console.log(`    ${name}: ${n} (${(n / RECORDS).toFixed(2)} per record)`);
    console.log(`  write capacity units: ${usage.writeUnits.toFixed(1)} (${(usage.writeUnits / RECORDS).toFixed(2)} per record)`);
    console.log(`  read capacity units: ${usage.readUnits.toFixed(1)} (${(usage.readUnits / RECORDS).toFixed(2)} per record)`);

    // Outage: control-plane calls per hour while the breaker cycles, then recovery.
    const minute = 60_000 / SPEED;
    const outage = validateProvider({
      id: "cost-outage",
      maxConcurrency: 10,
      maxFanOut: 10,
      latencyThresholdMs: 1000,
      maxAttempts: 100,
      // The retry backoff (seconds, whole) cannot be compressed with the rest: none here.
      ledger: { retryBackoffSeconds: 0 },
      worker: { module: "chaos", timeoutSeconds: 5 },
      controller: { strategy: "adaptive", minUpdateIntervalSeconds: Math.max(0, Math.round(60 / SPEED)), breaker: { baseIntervalMinutes: 10 / SPEED, maxIntervalMinutes: 160 / SPEED, probesToClose: 3 } },
    });
    const o = await startLocalPipeline(engines, {
      provider: outage,
      chaos: { baseLatencyMs: 20, slowPercentage: 0, slowMs: 0, errorPercentage: 100, throttlePercentage: 0 },
      pollIntervalMs: 100,
      rearmIntervalMs: 10 * minute,
      mappingUpdateIntervalMs: MAPPING_CONTROL_DEFAULTS.minUpdateIntervalMs / SPEED,
      mappingViewMaxAgeMs: MAPPING_CONTROL_DEFAULTS.viewMaxAgeMs / SPEED,
      handBackPauseMs: HAND_BACK_PAUSE_MS / SPEED,
      environment,
    });
    const outageIds = Array.from({ length: 200 }, (_, i) => `outage-${i}`);
    await o.enqueue(outageIds.map((id) => ({ id })));
    const since = Date.now();
    const outageHours = 2;
    await new Promise((r) => setTimeout(r, outageHours * 60 * minute));
    const during = engines.emulator.controlPlane.counts({ functionName: o.names.ventilator, since, until: Date.now() });
    o.chaos.errorPercentage = 0;
    const healed = Date.now();
    await settled(o, outageIds, engines.dynamoEndpoint);
    const recovery = engines.emulator.controlPlane.counts({ functionName: o.names.ventilator, since: healed, until: Date.now() });
    const recoveryHours = ((Date.now() - healed) * SPEED) / 3_600_000;
    await o.stop();
    const opens = o.logs.filter((l) => l.action === "open-breaker").length;
    const probes = o.logs.filter((l) => l.outcome === "probe").length;
    console.log(`outage run: ${outageHours} h of provider time at speed ${SPEED}: breaker opened ${opens}×, ${probes} probes`);
    console.log(`  control-plane calls during the outage: ${during.total} = ${(during.total / outageHours).toFixed(1)} per hour (${JSON.stringify(during.byOperation)})`);
    console.log(`  recovery to ${outageIds.length} records done: ${(recoveryHours * 60).toFixed(1)} min, ${recovery.total} control-plane calls (${JSON.stringify(recovery.byOperation)})`);
  } finally {
    await proxy.close();
    await engines.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
