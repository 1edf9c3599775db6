/**
 * The ledger table's layout, shared by the rules, the adapters and the
 * infrastructure: one table per provider, partition key `pk`, sort key `sk`
 * (both strings), TTL on `expiresAt` (epoch seconds), on-demand.
 */
import type { ItemKey } from "./store";

export const PARTITION_KEY = "pk";
export const SORT_KEY = "sk";
export const TTL_ATTRIBUTE = "expiresAt";

/** A record's entry for one provider day: a record is fetched at most once per provider day. */
export function recordKey(recordId: string, day: string): ItemKey {
  return { pk: `R#${recordId}`, sk: `D#${day}` };
}

export const PIPELINE_KEY: ItemKey = { pk: "PIPELINE", sk: "STATE" };

export function dayCountersKey(day: string): ItemKey {
  return { pk: `DAY#${day}`, sk: "COUNTERS" };
}

/**
 * One item per record that went dead on `day`, so `sluice dead list` reads a
 * day's dead records with one query (the record key cannot be queried by day).
 */
export function deadIndexKey(day: string, recordId: string): ItemKey {
  return { pk: deadIndexPartition(day), sk: recordId };
}

export function deadIndexPartition(day: string): string {
  return `DEAD#${day}`;
}

export const AUDIT_PARTITION = "AUDIT";

/** ISO time first so the sort key orders the audit by time. */
export function auditKey(at: number, action: string, duplicate = 0): ItemKey {
  const sk = `${new Date(at).toISOString()}#${action}`;
  return { pk: AUDIT_PARTITION, sk: duplicate === 0 ? sk : `${sk}#${duplicate}` };
}
