/**
 * What the ledger keeps of a call, by what the ventilator knows of it:
 *   ok                  done (the worker's guard wrote it, or we do)
 *   in doubt            the claim stays until its lease ends: no second fetch while the first may run
 *   worker died         dead: the provider may have served it, nothing recorded it
 *   landing kept        waits in the ledger for a landing, never fetched again
 *   landing not kept    dead: fetched, and its body is gone
 *   failed              failed with its backoff, or dead when permanent or out of attempts
 *   not made / auth     released: no attempt and no budget spent
 * A refused write means another party moved the record on: the stored entry is the truth.
 */
import { INVOKE_MARGIN_MS } from "../../catalog/timing";
import type { CallSample } from "../../controller/types";
import { LedgerConflictError, LedgerUnavailableError } from "../../ledger/errors";
import { LEDGER_STATUS, type LedgerEntry } from "../../ledger/types";
import type { Candidate } from "../candidates";
import type { InvokeResult } from "../ports";
import type { CallSession } from "./call-session";
import type { Sleep } from "./deps";

export type Fate =
  | { fate: "done"; sample?: CallSample }
  | { fate: "skipped"; why: "done" | "dead" }
  | { fate: "dead"; sample?: CallSample; reason: string }
  /** `waitUntil`: the record cannot be worked before then (a lease, a backoff); `called`: an attempt was spent. */
  | { fate: "retry"; reason: string; called?: boolean; waitUntil?: number };

/** Tries of a ledger write that records a call's outcome (each is safe to repeat). */
const RECORD_TRIES = 3;

/**
 * A refused transition means another party already moved the record on (the
 * worker's guard completed it, or a later claim owns it): the stored entry is
 * the truth to act on. Store errors are retried: every write here is safe to
 * repeat (a repeat of an applied write is refused by its own result).
 */
export async function settled(write: () => Promise<LedgerEntry | null>, sleep: Sleep): Promise<LedgerEntry | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (err instanceof LedgerConflictError) return err.stored;
      if (!(err instanceof LedgerUnavailableError) || attempt >= RECORD_TRIES) throw err;
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** What a call tells the controller about the provider's load; nothing when it says nothing. */
export function controllerSample(result: InvokeResult): CallSample | undefined {
  // An auth failure pauses the provider instead; a call that never reached it says nothing about its load,
  // except a Lambda throttle: the worker's reserved concurrency is full, and the limit must come down.
  if (result.outcome === "auth") return undefined;
  if (result.call === "not-made" && result.outcome !== "throttled") return undefined;
  // A permanent failure is the provider answering promptly "no"; a failed landing is a provider that answered: neither is congestion.
  const outcome = result.outcome === "permanent" || result.outcome === "landing" ? "ok" : result.outcome;
  return { latencyMs: result.latencyMs, outcome };
}

const withSample = (sample: CallSample | undefined) => (sample ? { sample } : {});

/** Records the outcome of a call that was made, or in doubt (see the header). */
export async function recordOutcome(s: CallSession, c: Candidate, result: InvokeResult, sample: CallSample | undefined): Promise<Fate> {
  const { ledger, sleep } = s;
  const id = c.record.id;
  const call = result.call ?? "made";
  if (result.outcome === "ok") {
    if (!result.recorded) {
      const entry = await settled(() => ledger.complete(id, c.day, s.now()), sleep).catch(() => null);
      // Fetched but recorded nowhere: the claim stays until its lease ends; the worst double fault there is.
      if (entry?.status !== LEDGER_STATUS.DONE) return { fate: "retry", reason: "fetched, but the ledger could not record it", called: true };
    }
    return { fate: "done", ...withSample(sample) };
  }
  const reason = `${result.outcome}: ${result.reason ?? "no reason given"}`;
  if (call === "in-doubt") return { fate: "retry", reason: `${reason} (the call may still be running: its claim is kept until its lease ends)`, called: true };
  if (call === "died") {
    // The provider may have served it and nothing recorded it: dead rather than fetched twice; a redrive fetches it again.
    const why = `${reason}; the worker died mid-call, so the provider may have served it: not fetched again today (redrive it if it was not)`;
    const entry = await settled(() => ledger.markDead(id, c.day, s.now(), why, { payload: c.record.payload }), sleep);
    return entry?.status === LEDGER_STATUS.DONE ? { fate: "done", ...withSample(sample) } : { fate: "dead", reason: why, ...withSample(sample) };
  }
  if (result.outcome === "landing") {
    if (result.kept) return { fate: "retry", reason, called: true };
    // Fetched, and its body could neither land nor be kept: dead rather than fetched twice; a redrive fetches it again.
    const entry = await settled(() => ledger.markDead(id, c.day, s.now(), reason, { payload: c.record.payload }), sleep);
    return entry?.status === LEDGER_STATUS.DONE ? { fate: "done" } : { fate: "dead", reason, ...withSample(sample) };
  }
  const entry = await settled(
    () => ledger.fail(id, c.day, s.now(), { reason, permanent: result.outcome === "permanent", payload: c.record.payload, ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}) }),
    sleep,
  );
  if (entry?.status === LEDGER_STATUS.DONE) return { fate: "done", ...withSample(sample) };
  if (entry?.status === LEDGER_STATUS.DEAD) return { fate: "dead", reason, ...withSample(sample) };
  return { fate: "retry", reason, called: true, ...(entry?.notBefore ? { waitUntil: entry.notBefore } : {}) };
}

/** The call never reached the provider, or was refused as unauthenticated: the claim and the budget go back. */
export async function giveBack(s: CallSession, c: Candidate, reason: string): Promise<Fate> {
  s.budget.giveBack();
  await settled(() => s.ledger.release(c.record.id, c.day, s.now()), s.sleep);
  return { fate: "retry", reason };
}

/** A record fetched on an earlier delivery whose body waits in the ledger: land it, call nothing. */
export async function landKept(s: CallSession, c: Candidate): Promise<Fate> {
  const { ledger, provider } = s;
  const landing = await ledger.claimLanding(c.record.id, c.day, s.now());
  if (!landing.claimed) {
    const entry = landing.entry;
    if (entry?.status === LEDGER_STATUS.DONE) return { fate: "skipped", why: "done" };
    if (entry?.status === LEDGER_STATUS.DEAD) return { fate: "skipped", why: "dead" };
    if (entry?.status !== LEDGER_STATUS.LANDING) return { fate: "retry", reason: `landing: the record is ${entry?.status ?? "gone"}` };
    const reason = `landing failed ${entry.landingAttempts} times: ${entry.lastError ?? "no reason given"}`;
    const dead = await settled(() => ledger.markDead(c.record.id, c.day, s.now(), reason, { payload: c.record.payload }), s.sleep);
    return dead?.status === LEDGER_STATUS.DONE ? { fate: "done" } : { fate: "dead", reason };
  }
  const request = { providerId: provider.id, recordId: c.record.id, day: c.day, payload: c.record.payload, mode: "land" as const };
  const result = await s.deps.invoker.invoke(request, provider.worker.timeoutSeconds * 1000 + INVOKE_MARGIN_MS);
  if (result.outcome === "ok") return { fate: "done" };
  return { fate: "retry", reason: `landing: ${result.reason ?? result.outcome}` };
}
