/**
 * The guarantees, checked on what the provider saw, what the ledger holds and
 * where the stream stands, after every step of a run:
 *
 *   never twice      the provider never serves (record, provider day) twice: its calls of one
 *                    record and day never overlap, and none starts after one that answered ok
 *   cap              calls in flight at the provider ≤ maxConcurrency
 *   windows          no call in flight outside an access window or inside a maintenance window
 *   daily limit      calls the provider counts per provider day ≤ dailyRequestLimit
 *   attempts         a record's attempts ≤ calls of it that reached the provider + claims whose
 *                    fate sluice could not know (its execution killed, its call in doubt, a
 *                    fault on its own writes) + claims whose execution still runs; a claim left
 *                    behind without such an excuse is a bug
 *   dead             a dead record keeps its payload and its reason
 *   nothing lost     a record the stream has moved past is done or dead, on its request day or
 *                    later (the day it was consumed at the latest)
 *   at the end       every record is consumed, or still in the stream within its retention
 */
import type { Provider } from "../../../runtime/catalog/provider";
import { readEntry } from "../../../runtime/ledger/items";
import type { KeyedItem } from "../../../runtime/ledger/store";
import { LEDGER_STATUS, type LedgerEntry } from "../../../runtime/ledger/types";
import { providerDay, windowStatus } from "../../../runtime/windows/clock";
import { payloadOf, type World } from "./world";

export function entriesOf(items: readonly KeyedItem[]): Map<string, LedgerEntry> {
  const entries = new Map<string, LedgerEntry>();
  for (const { key, item } of items) {
    if (!key.pk.startsWith("R#")) continue;
    const entry = readEntry(key, item);
    entries.set(`${entry.recordId}|${entry.day}`, entry);
  }
  return entries;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function violations(world: World, items: readonly KeyedItem[], final: boolean): string[] {
  const found: string[] = [...world.problems];
  const p: Provider = world.provider;
  const now = world.now;
  const calls = world.service.calls;
  const entries = entriesOf(items);

  // never twice, per (record, the provider's day at the call's start)
  const byRecordDay = new Map<string, typeof calls>();
  for (const c of calls) {
    const key = `${c.recordId}|${c.day}`;
    let list = byRecordDay.get(key);
    if (!list) byRecordDay.set(key, (list = []));
    list.push(c);
  }
  for (const [key, list] of byRecordDay) {
    for (let i = 1; i < list.length; i++) {
      const prev = list.slice(0, i);
      const c = list[i]!;
      const overlapping = prev.find((a) => a.end === null || a.end > c.start);
      if (overlapping) found.push(`never twice: ${key} was called at ${iso(c.start)} while its call from ${iso(overlapping.start)} was still in flight`);
      const served = prev.find((a) => a.outcome === "ok");
      if (served) found.push(`never twice: ${key} was called again at ${iso(c.start)} after the provider served it at ${iso(served.start)}`);
    }
  }

  // cap
  if (world.service.peakInFlight > p.maxConcurrency) found.push(`cap: ${world.service.peakInFlight} calls in flight at the provider, over its cap of ${p.maxConcurrency}`);

  // windows
  for (const c of calls) {
    const status = windowStatus(p, c.start);
    const end = c.end ?? now;
    if (!status.open) found.push(`windows: ${c.recordId} called at ${iso(c.start)}, in a closed window (${status.reason})`);
    else if (status.closesAt !== null && end > status.closesAt) found.push(`windows: ${c.recordId}'s call from ${iso(c.start)} still ran at ${iso(status.closesAt)}, when the window closed`);
  }

  // daily limit
  if (p.dailyRequestLimit !== undefined) {
    const perDay = new Map<string, number>();
    for (const c of calls) if (c.accounted) perDay.set(c.day, (perDay.get(c.day) ?? 0) + 1);
    for (const [day, n] of perDay) if (n > p.dailyRequestLimit) found.push(`daily limit: the provider counted ${n} calls on ${day}, over the limit of ${p.dailyRequestLimit}`);
  }

  // attempts
  const reached = new Map<string, number>();
  for (const c of calls) reached.set(`${c.recordId}|${c.requestDay}`, (reached.get(`${c.recordId}|${c.requestDay}`) ?? 0) + 1);
  for (const [ref, e] of entries) {
    if (e.recordId.startsWith("malformed:")) continue;
    // A claim whose execution still runs may not have reached the provider yet.
    const allowed = (reached.get(ref) ?? 0) + (world.claims.excused.get(ref) ?? 0) + world.claims.pending(ref);
    if (e.attempts > allowed) found.push(`attempts: ${ref} spent ${e.attempts} attempts for ${reached.get(ref) ?? 0} calls that reached the provider and ${world.claims.excused.get(ref) ?? 0} whose fate could not be known`);
  }
  for (const [ref, n] of world.claims.leaked) found.push(`attempts: ${n} claim(s) of ${ref} left behind by an execution that knew its call's fate and saw no fault`);

  // dead
  for (const [ref, e] of entries) {
    if (e.status !== LEDGER_STATUS.DEAD || e.recordId.startsWith("malformed:")) continue;
    if (!e.lastError) found.push(`dead: ${ref} is dead without a reason`);
    if (!deepEqual(e.payload, payloadOf(e.recordId))) found.push(`dead: ${ref} is dead without its payload (kept ${JSON.stringify(e.payload)})`);
  }

  // nothing lost
  const retentionMs = p.streamRetentionHours * 3_600_000;
  for (const r of world.stream.all()) {
    if (r.consumedAt === undefined) {
      if (final && now - r.arrivedAt > retentionMs) found.push(`lost: ${r.id} (${r.seq}) outlived the stream's retention`);
      continue;
    }
    const from = providerDay(p.timezone, r.enqueuedAt ?? r.arrivedAt);
    const to = providerDay(p.timezone, r.consumedAt);
    const settled = [...entries.values()].some((e) => e.recordId === r.id && e.day >= from && e.day <= to && (e.status === LEDGER_STATUS.DONE || e.status === LEDGER_STATUS.DEAD));
    if (!settled) {
      const states = [...entries.values()].filter((e) => e.recordId === r.id).map((e) => `${e.day} ${e.status}`);
      found.push(`lost: ${r.id} (${r.seq}, requested ${from}) left the stream ${r.discarded ? `(given up: ${r.discarded}) ` : ""}at ${iso(r.consumedAt)} but is neither done nor dead [${states.join(", ") || "no entry"}]`);
    }
  }
  return found;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
