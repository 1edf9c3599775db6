/**
 * The validated catalog as every part of sluice sees it: all defaults filled,
 * derived sizes computed once. Build it with `validateCatalog` / `loadCatalog`.
 */
import type { z } from "zod";
import type { providerSchema } from "./schema";

type Parsed = z.output<typeof providerSchema>;

/** Old field names still accepted in providers.json; `validate` asks to rename them (see DEPRECATED_FIELDS). */
export type DeprecatedField = "maxBatchSize" | "initialBatchSize";

export interface Provider extends Omit<Parsed, "maxFanOut" | "initialFanOut" | DeprecatedField | "streamRetentionHours" | "ledger"> {
  /** Ceiling of the fan-out limit (calls one batch may have in flight); shards × parallelization × maxFanOut ≤ maxConcurrency. */
  maxFanOut: number;
  /** Fan-out limit at deploy; also the mapping batch size the mapping is created with. */
  initialFanOut: number;
  /** Kinesis retention, at least the longest closed period + 24 h. */
  streamRetentionHours: number;
  ledger: { ttlDays: number; leaseSeconds: number; retryBackoffSeconds: number };
  /** Batches that can be in flight at once: shards × parallelization factor. */
  concurrentBatches: number;
  /**
   * Longest stretch of the week during which calls are forbidden, in wall-clock minutes: sizes the default
   * retention (+ 24 h) and the iterator-age alarm. Whether a retention covers it in real time, DST
   * included, is runtime/windows/closed's to say (validation and the retention policy).
   */
  longestClosedMinutes: number;
}

export interface Catalog {
  providers: Provider[];
  /** Entries that still work but should change (old field names): one line each, like problems. */
  warnings: string[];
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
