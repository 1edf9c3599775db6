/**
 * Step 1 of a batch: decode the records, read the pipeline's state, ask the
 * gate, record the malformed records dead, and find which records are work
 * (candidates.ts: today's requests, copies already done left out).
 */
import { providerDay } from "../../windows/clock";
import { candidatesOf, type Candidates } from "../candidates";
import { gate, type Gate } from "../gate";
import { loadPipeline, type Pipeline } from "../pipeline-state";
import type { LedgerPort } from "../ports";
import { decodeRecord, type DecodedRecord, type KinesisBatchEvent } from "../records";
import type { VentilatorDeps } from "./deps";

/** Ledger key of a record that could not be decoded: its sequence number is all it has. */
export function malformedKey(sequenceNumber: string): string {
  return `malformed:${sequenceNumber}`;
}

export type Prepared =
  | { open: false; decoded: DecodedRecord[]; gate: Exclude<Gate, { open: true }>; pipeline: Pipeline; day: string }
  | { open: true; decoded: DecodedRecord[]; gate: Extract<Gate, { open: true }>; pipeline: Pipeline; day: string; malformed: number; work: Candidates };

export async function prepare(event: KinesisBatchEvent, deps: VentilatorDeps, ledger: LedgerPort, now: number): Promise<Prepared> {
  const { provider } = deps;
  const day = providerDay(provider.timezone, now);
  const decoded = event.Records.map(decodeRecord);
  const pipeline = await loadPipeline(ledger, provider, now);
  const g = gate(provider, pipeline.pause, pipeline.controller, now);
  if (!g.open) return { open: false, decoded, gate: g, pipeline, day };
  const malformed = decoded.filter((d) => d.kind === "malformed");
  await Promise.all(malformed.map((m) => ledger.markDead(malformedKey(m.sequenceNumber), day, now, m.reason, { payload: m.data })));
  const work = await candidatesOf(decoded, ledger, provider, day);
  return { open: true, decoded, gate: g, pipeline, day, malformed: malformed.length, work };
}
