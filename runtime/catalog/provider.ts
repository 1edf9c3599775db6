/**
 * The validated catalog as every part of sluice sees it: all defaults filled,
 * derived sizes computed once. Build it with `validateCatalog` / `loadCatalog`.
 */
import type { z } from "zod";
import type { providerSchema } from "./schema";

type Parsed = z.output<typeof providerSchema>;

export interface Provider extends Omit<Parsed, "maxBatchSize" | "initialBatchSize" | "streamRetentionHours" | "ledger"> {
  /** Largest in-batch fan-out; shards × parallelization × maxBatchSize ≤ maxConcurrency. */
  maxBatchSize: number;
  /** Batch size the mapping is created with. */
  initialBatchSize: number;
  /** Kinesis retention, at least the longest closed period + 24 h. */
  streamRetentionHours: number;
  ledger: { ttlDays: number; leaseSeconds: number };
  /** Batches that can be in flight at once: shards × parallelization factor. */
  concurrentBatches: number;
  /** Longest stretch of the week during which calls are forbidden, in minutes. */
  longestClosedMinutes: number;
}

export interface Catalog {
  providers: Provider[];
}

/** The providers that are deployed with an enabled mapping. */
export function enabledProviders(catalog: Catalog): Provider[] {
  return catalog.providers.filter((p) => p.enabled);
}

export function findProvider(catalog: Catalog, id: string): Provider | undefined {
  return catalog.providers.find((p) => p.id === id);
}

/**
 * A provider as schema input (defaults filled, derived sizes dropped), e.g. for
 * a Lambda's environment; `validateProvider` turns it back into a Provider.
 */
export function serializeProvider(p: Provider): string {
  const { concurrentBatches: _b, longestClosedMinutes: _c, ...entry } = p;
  return JSON.stringify(entry);
}
