/**
 * Which records of a batch are work, and for which provider day.
 *
 * A record's request day is the provider day of its `enqueuedAt` (stamped by
 * the producer), else of Kinesis' approximate arrival time. A copy requested
 * on an earlier day than today is usually a re-send (Lambda re-delivers the
 * successes that follow a failed record): if it was done on its own day it is
 * skipped, if its fetch waits to land it lands under its own day, and
 * otherwise it is today's work. The batch is then deduplicated by
 * (record, work day): an old copy done yesterday and today's new request of
 * the same id are two pieces of work, and only the second one calls.
 */
import type { Provider } from "../catalog/provider";
import { LEDGER_STATUS } from "../ledger/types";
import { providerDay } from "../windows/clock";
import type { LedgerPort } from "./ports";
import type { DecodedRecord, StreamRecord } from "./records";

export interface Candidate {
  sequenceNumber: string;
  record: StreamRecord;
  /** The provider day the record is worked under. */
  day: string;
  /** Fetched already (on `day`): only its kept body is to land. */
  land: boolean;
  /** Kinesis' arrival time: the stream drops the record a retention later (see expiry.ts). */
  arrivedAt?: number;
}

export interface Candidates {
  candidates: Candidate[];
  /** Copies done on their own day, and copies of a record the batch already holds. */
  skipped: number;
}

export async function candidatesOf(decoded: readonly DecodedRecord[], ledger: LedgerPort, provider: Provider, today: string): Promise<Candidates> {
  const records = decoded.filter((d): d is Extract<DecodedRecord, { kind: "record" }> => d.kind === "record");
  const resolved = await Promise.all(
    records.map(async (d): Promise<Candidate | null> => {
      const requested = d.requestedAt === undefined ? today : providerDay(provider.timezone, d.requestedAt);
      const base = { sequenceNumber: d.sequenceNumber, record: d.record, ...(d.arrivedAt !== undefined ? { arrivedAt: d.arrivedAt } : {}) };
      if (requested >= today) return { ...base, day: today, land: false };
      const own = await ledger.entry(d.record.id, requested);
      if (own?.status === LEDGER_STATUS.DONE) return null;
      if (own?.status === LEDGER_STATUS.LANDING) return { ...base, day: requested, land: true };
      return { ...base, day: today, land: false };
    }),
  );
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  for (const c of resolved) {
    if (c === null) continue;
    const key = `${c.day}\n${c.record.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    candidates.push(c);
  }
  return { candidates, skipped: records.length - candidates.length };
}
