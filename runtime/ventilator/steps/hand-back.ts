/**
 * Step 4 of a batch, when nothing more may be called: remember why (the gate's
 * reason, saved as the pipeline's pause unless the breaker says it already),
 * make sure the mapping stops, give up as dead (with their payload) the
 * records the stream is about to drop, and pause before handing the rest back,
 * at most HAND_BACK_PAUSE_MS: Lambda redelivers a handed-back batch at once.
 */
import { FINISH_MARGIN_MS } from "../../catalog/timing";
import { LedgerUnavailableError } from "../../ledger/errors";
import { providerDay } from "../../windows/clock";
import { heldForOperator } from "../../windows/closed-because";
import { candidatesOf, type Candidate } from "../candidates";
import { expiring, expiryReason } from "../expiry";
import type { Gate } from "../gate";
import { savePipeline, type Pipeline } from "../pipeline-state";
import type { LedgerPort } from "../ports";
import type { DecodedRecord } from "../records";
import { updateMapping } from "./decide";
import { sleeperOf, type BatchResponse, type InvocationContext, type Sleep, type VentilatorDeps } from "./deps";
import type { CallSession } from "./call-session";
import { settled, type Fate } from "./outcome";
import { handBackLine } from "./report";

/**
 * Longest wait before handing back a batch that could call nothing (the
 * gate closed, records leased by a killed invocation or backing off, the
 * worker unreachable): Lambda redelivers a handed-back batch at once, and each
 * redelivery spends one of the mapping's retries and, with a stale view, a
 * control-plane call. Bounded so: one redelivery per pause per batch slot.
 */
export const HAND_BACK_PAUSE_MS = 10_000;

type Closed = Exclude<Gate, { open: true }>;

/**
 * Makes the waiting records the stream is about to drop dead, with their payload and why they
 * waited (see expiry.ts); returns their sequence numbers. A record done meanwhile stays done.
 */
export async function giveUpExpiring(
  waiting: readonly { c: Candidate; why: string }[],
  deps: VentilatorDeps,
  ledger: LedgerPort,
  sleep: Sleep,
  now: number,
): Promise<Set<string>> {
  const given = new Set<string>();
  for (const { c, why } of waiting) {
    if (!expiring(deps.provider, c.arrivedAt, now)) continue;
    try {
      await settled(() => ledger.markDead(c.record.id, c.day, now, expiryReason(deps.provider, c.arrivedAt!, why), { payload: c.record.payload }), sleep);
      given.add(c.sequenceNumber);
    } catch (err) {
      // Not written: it stays in the stream, and the next delivery tries again.
      if (!(err instanceof LedgerUnavailableError)) throw err;
    }
  }
  return given;
}

/** Waits until `until` (or HAND_BACK_PAUSE_MS, whichever is sooner) before a batch that made no progress is handed back. */
export async function pause(until: number, context: InvocationContext, deps: VentilatorDeps): Promise<void> {
  const wait = Math.min(until - deps.clock.now(), deps.handBackPauseMs ?? HAND_BACK_PAUSE_MS, context.getRemainingTimeInMillis() - FINISH_MARGIN_MS);
  if (wait > 0) await sleeperOf(deps)(wait);
}

/** Remembers why nothing may be called (unless the breaker says it already) and makes sure the mapping stops. */
export async function hold(g: Closed, pipeline: Pipeline, deps: VentilatorDeps, ledger: LedgerPort, now: number, note?: string): Promise<boolean> {
  await remember(g, pipeline, deps, ledger, now, note);
  return (await updateMapping(deps.mapping, { enabled: false })).applied;
}

/** Saves the pause that explains why nothing may be called (the breaker says it already). */
async function remember(g: Closed, pipeline: Pipeline, deps: VentilatorDeps, ledger: LedgerPort, now: number, note?: string): Promise<void> {
  if (g.reason !== "breaker-open" && pipeline.pause?.reason !== g.reason) {
    const reason = g.reason;
    await savePipeline(ledger, deps.provider, now, pipeline, (current) =>
      current.pause?.reason === reason || (current.pause && heldForOperator(current.pause.reason) && reason !== "operator")
        ? null
        : { controller: current.controller, pause: { reason, since: now, resumeMappingBatchSize: current.controller.mappingBatchSize, ...(note ? { note } : {}) } },
    ).catch((err: unknown) => {
      // The auth pause must not be lost: a batch that cannot save it fails, and its redelivery tries again.
      if (reason === "auth" || !(err instanceof LedgerUnavailableError)) throw err;
    });
  }
}

/**
 * Nothing may be called: remember why, make sure the mapping stops, and hand the whole batch back
 * after a pause. Records the stream is about to drop are given up as dead first; while there are
 * such records the mapping is left running, so the next batch brings the next ones at once.
 */
export async function handBackAll(
  decoded: readonly DecodedRecord[],
  g: Closed,
  pipeline: Pipeline,
  deps: VentilatorDeps,
  ledger: LedgerPort,
  context: InvocationContext,
  now: number,
): Promise<BatchResponse> {
  const { provider } = deps;
  const sleep = sleeperOf(deps);
  const old = decoded.filter((d) => d.kind === "record" && expiring(provider, d.arrivedAt, now));
  const work = old.length === 0 ? null : await candidatesOf(old, ledger, provider, providerDay(provider.timezone, now));
  const expired = work === null ? new Set<string>() : await giveUpExpiring(work.candidates.map((c) => ({ c, why: `held: ${g.reason}` })), deps, ledger, sleep, now);
  // Off the stream with them: the given up, copies done on their own day, and twins of the given up. The rest
  // waits, and with it everything behind it, so a done copy handed back would hold up the records it precedes.
  const gone = new Set([...expired, ...(work?.done ?? []), ...[...(work?.twins ?? [])].filter(([, kept]) => expired.has(kept)).map(([twin]) => twin)]);
  const sequenceNumbers = decoded.map((d) => d.sequenceNumber).filter((seq) => !gone.has(seq));
  const applied = gone.size > 0 ? (await remember(g, pipeline, deps, ledger, now), null) : await hold(g, pipeline, deps, ledger, now);
  if (gone.size === 0) await pause(g.until ?? Infinity, context, deps);
  deps.log(handBackLine(deps, now, { decoded: decoded.length, handedBack: sequenceNumbers.length, expired: expired.size }, g, pipeline, applied));
  return { batchItemFailures: sequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * After the calls: the records still waiting (to retry, or never started) are handed back, but those
 * the stream is about to drop end dead first. A batch that called nothing pauses before handing back,
 * until the earliest of its waits (a lease, a backoff, the gate's reopening).
 */
export async function handBackWaiting(
  s: CallSession,
  candidates: readonly Candidate[],
  results: readonly (Fate | undefined)[],
  notStarted: readonly number[],
  stop: Closed | null,
): Promise<{ handBack: string[]; expired: Set<string> }> {
  const waiting = [
    ...candidates.flatMap((c, i) => (results[i]?.fate === "retry" ? [{ c, why: (results[i] as Extract<Fate, { fate: "retry" }>).reason }] : [])),
    ...notStarted.map((i) => ({ c: candidates[i]!, why: "not started in this batch" })),
  ];
  // A record the stream is about to drop ends dead (with its payload) rather than expire unseen.
  const expired = await giveUpExpiring(waiting, s.deps, s.ledger, s.sleep, s.now());
  const handBack = waiting.filter(({ c }) => !expired.has(c.sequenceNumber)).map(({ c }) => c.sequenceNumber);
  if (s.samples.length === 0 && handBack.length > 0) {
    const waits = results.flatMap((f) => (f?.fate === "retry" && f.waitUntil !== undefined ? [f.waitUntil] : []));
    const until = stop ? (stop.until ?? Infinity) : waits.length > 0 ? Math.min(...waits) : s.stalled ? Infinity : null;
    if (until !== null) await pause(until, s.context, s.deps);
  }
  return { handBack, expired };
}
