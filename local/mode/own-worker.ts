/**
 * `sluice local` for a provider with its own worker module: the worker runs
 * in the pipeline (behind the same ledger guard as in Lambda) against its stub
 * provider (workers/<id>.stub.ts), and the stub serves the simulated profile's
 * latency, errors and 429s: the profile derived from the catalog's thresholds
 * (profile.ts), with the stub's own `profile` over it. The scenario changes
 * that profile as it changes a chaos provider's.
 */
import type { ChaosSettings } from "../../runtime/catalog/schema";
import type { Log } from "../../runtime/ventilator/telemetry";
import type { WorkerHandler } from "../../runtime/workers/contract";
import { fetchTimeoutMs } from "../../runtime/workers/deadline";
import { isCustomProvider } from "../../runtime/workers/user/load";
import { loadStub } from "../stub/load";
import { localWorkerHandler } from "../stub/local-worker";
import { startStubServer, type StubServer } from "../stub/server";
import { FileObjectStore, LOCAL_LANDING_DIR } from "../stub/file-store";
import type { ObjectStore } from "../../runtime/workers/http/ports";
import type { LocalProviderPlan } from "./plan";
import { compressChaos } from "./time-compression";

/** The plan of a provider with its own worker, with its stub loaded; other plans unchanged. */
export function withOwnWorker(plan: LocalProviderPlan, catalogFile: string): LocalProviderPlan {
  const declared = plan.declared;
  if (!isCustomProvider(declared)) return plan;
  const { file, stub } = loadStub(declared, catalogFile);
  const profile: ChaosSettings = { ...plan.profile, ...(stub.profile ?? {}) };
  const notes = plan.notes.filter((n) => !n.includes("simulated locally"));
  notes.unshift(
    `own worker ${declared.worker.module} against its stub ${file.slice(file.lastIndexOf("workers"))}: ${profile.baseLatencyMs} ms calls, ${profile.slowPercentage}% slow (${profile.slowMs} ms), ${profile.errorPercentage}% errors, ${profile.throttlePercentage}% 429s injected; lands in ${LOCAL_LANDING_DIR}/`,
  );
  return { ...plan, profile, chaos: compressChaos(profile, plan.latencyFactor), notes, ownWorker: { catalogFile, stub } };
}

/** Starts the stub on `chaos` (read at every request) and builds the worker against it. */
export async function startOwnWorker(plan: LocalProviderPlan, chaos: ChaosSettings, log: Log = () => undefined): Promise<{ worker: WorkerHandler; server: StubServer; land: ObjectStore } | undefined> {
  const own = plan.ownWorker;
  if (!own) return undefined;
  const server = await startStubServer(own.stub, { profile: chaos });
  try {
    const worker = localWorkerHandler({
      provider: plan.declared,
      catalogFile: own.catalogFile,
      stub: { stub: own.stub, server },
      // The compressed timeout, as the pipeline's function has it.
      timeoutMs: () => fetchTimeoutMs(plan.provider.worker.timeoutSeconds * 1000),
      log,
    });
    return { worker, server, land: new FileObjectStore() };
  } catch (err) {
    await server.close();
    throw err;
  }
}
