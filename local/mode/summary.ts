/**
 * The end-of-run summary, per provider, as `--json` prints it:
 *
 *   done, dead      from the ledger, record by record (settlement)
 *   fetchedTwice    records the simulated provider answered successfully more
 *                   than once (its own call record, not the ledger's word)
 *   max/minMappingBatchSize  the mapping's BatchSize over the batches delivered
 *                   (null when no batch was delivered)
 *   breakerOpened   batches whose decision opened the breaker (from closed or
 *                   half-open)
 */
import type { ProviderCall } from "../pipeline";
import type { DeliveredBatch } from "../lambda-emulator";
import type { Settlement, TimedLine } from "./provider-run";

export interface ProviderSummary {
  id: string;
  enqueued: number;
  done: number;
  dead: number;
  fetchedTwice: number;
  maxMappingBatchSize: number | null;
  minMappingBatchSize: number | null;
  breakerOpened: number;
}

export const STOPPED_BY = { DONE: "done", TIMEOUT: "timeout", SIGNAL: "signal" } as const;
export type StoppedBy = (typeof STOPPED_BY)[keyof typeof STOPPED_BY];

export interface LocalSummary {
  providers: ProviderSummary[];
  /** Why the run ended: every record settled, --timeout, or Ctrl-C. */
  stoppedBy: StoppedBy;
  wallSeconds: number;
}

export interface ProviderFacts {
  id: string;
  enqueued: number;
  settlement: Pick<Settlement, "done" | "dead">;
  calls: readonly ProviderCall[];
  batches: readonly Pick<DeliveredBatch, "batchSizeSetting">[];
  lines: readonly TimedLine[];
}

export function fetchedTwice(calls: readonly ProviderCall[]): number {
  const ok = new Map<string, number>();
  for (const c of calls) if (c.outcome === "ok") ok.set(c.recordId, (ok.get(c.recordId) ?? 0) + 1);
  return [...ok.values()].filter((n) => n > 1).length;
}

export function summarizeProvider(f: ProviderFacts): ProviderSummary {
  const sizes = f.batches.map((b) => b.batchSizeSetting);
  return {
    id: f.id,
    enqueued: f.enqueued,
    done: f.settlement.done,
    dead: f.settlement.dead,
    fetchedTwice: fetchedTwice(f.calls),
    maxMappingBatchSize: sizes.length > 0 ? Math.max(...sizes) : null,
    minMappingBatchSize: sizes.length > 0 ? Math.min(...sizes) : null,
    breakerOpened: f.lines.filter((l) => l.line.message === "batch" && l.line.action === "open-breaker").length,
  };
}

/** The human summary printed after the run. */
export function summaryText(summary: LocalSummary): string {
  const head = {
    done: "every record is done or dead",
    timeout: "stopped by --timeout: some records were unfinished",
    signal: "interrupted",
  }[summary.stoppedBy];
  const width = Math.max(8, ...summary.providers.map((p) => p.id.length));
  const rows = summary.providers.map((p) => {
    const open = p.enqueued - p.done - p.dead;
    const sizes = p.maxMappingBatchSize === null ? "no batch" : `mapping batch size ${p.minMappingBatchSize}–${p.maxMappingBatchSize}`;
    return `  ${p.id.padEnd(width)}  ${p.done}/${p.enqueued} done, ${p.dead} dead${open > 0 ? `, ${open} unfinished` : ""}, fetched twice ${p.fetchedTwice}, ${sizes}, breaker opened ${p.breakerOpened}×`;
  });
  return [`sluice local: ${head} after ${summary.wallSeconds.toFixed(0)} s`, ...rows].join("\n") + "\n";
}
