/**
 * What `sluice local` runs for each provider, decided before any engine
 * starts: the provider as validated for the local engines, its simulated
 * profile, its clock, and a note for every way the local run differs from AWS.
 *
 * - Chaos providers run on their own worker settings; http providers on the
 *   chaos worker with a derived profile (profile.ts): their API is not here.
 * - The Lambda emulator runs one batch per shard, so a provider with
 *   ParallelizationFactor P > 1 runs on shards × P shards at factor 1: the
 *   same number of batches in flight, each shard keeping its own order.
 * - A provider declared disabled runs only when named in --providers, enabled.
 * - Time compression (time-compression.ts) and the clock start (window-start.ts).
 */
import type { Catalog, Provider } from "../../runtime/catalog/provider";
import { enabledProviders } from "../../runtime/catalog/provider";
import type { ChaosSettings } from "../../runtime/catalog/schema";
import { validateProvider } from "../../runtime/catalog/validate";
import { formatLocal } from "../../runtime/windows/clock";
import type { Stub } from "../stub/define";
import { LocalOptionError } from "./errors";
import { providerProfile } from "./chaos-profile";
import { compressChaos, compressEntry, latencyFactor, resolvedEntry } from "./time-compression";
import { localStart } from "./window-start";

export interface LocalProviderPlan {
  /** The provider as the catalog declares it. */
  declared: Provider;
  /** The provider the local pipeline runs: chaos worker, emulable shards, compressed time. */
  provider: Provider;
  /** The simulated provider in provider time (catalog settings or derived). */
  profile: ChaosSettings;
  /** `profile` with latencies compressed: what the chaos worker runs at the start. */
  chaos: ChaosSettings;
  latencyFactor: number;
  /** Epoch ms the provider's clock shows when the run starts; null = the real clock. */
  clockStart: number | null;
  notes: string[];
  /** A provider's own worker: run in-process against its stub (own-worker.ts), the stub serving `chaos`. */
  ownWorker?: { catalogFile: string; stub: Stub };
}

export interface PlanOptions {
  /** --providers; absent = every enabled provider. */
  ids?: readonly string[];
  speed: number;
  /** How long the run may last (the clock start keeps the provider open that long). */
  runMs: number;
  realClock: boolean;
  now: number;
}

export function selectProviders(catalog: Catalog, ids: readonly string[] | undefined): Provider[] {
  if (!ids) {
    const enabled = enabledProviders(catalog);
    if (enabled.length === 0) throw new LocalOptionError("--catalog", "", "has no enabled provider: name one with --providers");
    return enabled;
  }
  const known = catalog.providers.map((p) => p.id);
  return [...new Set(ids)].map((id) => {
    const provider = catalog.providers.find((p) => p.id === id);
    if (!provider) throw new LocalOptionError("--providers", id, `is not in the catalog (known: ${known.join(", ")})`);
    return provider;
  });
}

export function planProvider(declared: Provider, opts: PlanOptions): LocalProviderPlan {
  const notes: string[] = [];
  const { profile, derived } = providerProfile(declared);
  if (derived) {
    notes.push(
      `${declared.worker.module} worker simulated locally: ${profile.baseLatencyMs} ms calls, ${profile.slowPercentage}% slow (${profile.slowMs} ms), ${profile.errorPercentage}% errors (derived from its thresholds)`,
    );
  }
  const factor = latencyFactor(declared.latencyThresholdMs, opts.speed);
  let entry = resolvedEntry(declared);
  entry = { ...entry, enabled: true, worker: { module: "chaos", timeoutSeconds: entry.worker.timeoutSeconds, memoryMb: entry.worker.memoryMb, settings: profile } };
  if (!declared.enabled) notes.push("declared disabled in the catalog: enabled for this local run");
  if (declared.parallelizationFactor > 1) {
    entry = { ...entry, shardCount: declared.shardCount * declared.parallelizationFactor, parallelizationFactor: 1 };
    notes.push(
      `${declared.shardCount} shard × parallelization ${declared.parallelizationFactor} emulated as ${declared.concurrentBatches} shards × 1: same ${declared.concurrentBatches} batches in flight`,
    );
  }
  const provider = validateProvider(compressEntry(entry, opts.speed, factor), `${declared.id} (local)`);
  if (factor < opts.speed) notes.push(`latencies compressed ×${round(factor)} (not ×${round(opts.speed)}): threshold ${provider.latencyThresholdMs} ms stays above the local engines' own latency`);

  let clockStart: number | null = null;
  if (!opts.realClock && (declared.accessWindows.length > 0 || declared.maintenanceWindows.length > 0)) {
    const start = localStart(declared, opts.now, opts.runMs);
    if (start !== opts.now) {
      clockStart = start;
      notes.push(`clock starts when the provider is open: ${formatLocal(declared.timezone, start)} (--real-clock to use now)`);
    }
  }
  return { declared, provider, profile, chaos: compressChaos(profile, factor), latencyFactor: factor, clockStart, notes };
}

export function planProviders(catalog: Catalog, opts: PlanOptions): LocalProviderPlan[] {
  return selectProviders(catalog, opts.ids).map((p) => planProvider(p, opts));
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
