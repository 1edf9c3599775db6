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
  /** Sequence numbers of the copies done on their own day: nothing is left to do for them. */
  done: Set<string>;
  /** A copy of a record the batch already holds → the sequence number of the copy kept. */
  twins: Map<string, string>;
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
  const kept = new Map<string, string>();
  const candidates: Candidate[] = [];
  const done = new Set<string>();
  const twins = new Map<string, string>();
  resolved.forEach((c, i) => {
    if (c === null) {
      done.add(records[i]!.sequenceNumber);
      return;
    }
    const key = `${c.day}\n${c.record.id}`;
    const first = kept.get(key);
    if (first !== undefined) twins.set(c.sequenceNumber, first);
    else {
      kept.set(key, c.sequenceNumber);
      candidates.push(c);
    }
  });
  return { candidates, skipped: records.length - candidates.length, done, twins };
}
