/**
 * Step 2 of a batch: each record is claimed, its call budgeted, made and
 * recorded, with at most the controller's limit in flight (fan-out.ts), the
 * limit adapting wave by wave (waves.ts). A claim that cannot be used (no
 * budget, no time left before the window, the day or the lease ends) is given
 * back before any call.
 */
import { INVOKE_MARGIN_MS } from "../../catalog/timing";
import { LedgerUnavailableError } from "../../ledger/errors";
import type { Candidate } from "../candidates";
import { fanOut, type FanOutResult } from "../fan-out";
import type { CallSession } from "./call-session";
import { controllerSample, giveBack, landKept, recordOutcome, settled, type Fate } from "./outcome";

export async function callAll(s: CallSession, candidates: readonly Candidate[]): Promise<FanOutResult<Fate>> {
  return fanOut(candidates, () => s.waves.limit(), (c) => callGuarded(s, c), () => s.fits(s.now()));
}

/**
 * A ledger that cannot be reached stops the batch from starting more calls; the record is handed
 * back. A claim it could not release or a result it could not write stays under its lease, and
 * counts as the attempt it may have been.
 */
async function callGuarded(s: CallSession, c: Candidate): Promise<Fate> {
  const progress = { invoked: false };
  try {
    return await callOne(s, c, progress);
  } catch (err) {
    if (!(err instanceof LedgerUnavailableError)) throw err;
    s.stalled ??= `ledger: ${err.message}`;
    return { fate: "retry", reason: `ledger: ${err.message}`, called: progress.invoked };
  }
}

/** One record: claim, call, record. `invoked` tells a ledger failure before the call from one after it. */
async function callOne(s: CallSession, c: Candidate, progress: { invoked: boolean }): Promise<Fate> {
  const { ledger, provider, waves } = s;
  if (!(await s.stillOpen())) return { fate: "retry", reason: `held: ${s.held!.reason}` };
  if (c.land) return landKept(s, c);
  const claim = await ledger.claim(c.record.id, c.day, s.now(), { adHoc: c.record.adHoc, payload: c.record.payload });
  if (!claim.claimed) {
    switch (claim.reason) {
      case "leased":
        return { fate: "retry", reason: "leased by another invocation", waitUntil: claim.entry.leaseUntil ?? undefined };
      case "backing-off":
        return { fate: "retry", reason: `backing off after attempt ${claim.entry.attempts}`, waitUntil: claim.entry.notBefore ?? undefined };
      case "landing":
        return landKept(s, c);
      default:
        return { fate: "skipped", why: claim.reason };
    }
  }
  const release = () => settled(() => ledger.release(c.record.id, c.day, s.now()), s.sleep);
  let granted: boolean;
  try {
    granted = await s.budget.take(waves.limit(), s.now());
  } catch (err) {
    // Nothing was called: a claim left behind would end, at its lease, as an outcome nobody knows.
    await release().catch(() => undefined);
    throw err;
  }
  if (!granted) {
    await release();
    return { fate: "retry", reason: "daily request limit reached" };
  }
  // The claim and the reservation took time: the call must still end before the window, the day and the lease do.
  if (!s.fits(s.now(), claim.entry.leaseUntil ?? Infinity)) return giveBack(s, c, "no time left for the call before the window, the day or the lease ends");
  waves.started();
  progress.invoked = true;
  const request = { providerId: provider.id, recordId: c.record.id, day: c.day, payload: c.record.payload };
  const result = await s.deps.invoker.invoke(request, provider.worker.timeoutSeconds * 1000 + INVOKE_MARGIN_MS);
  const sample = controllerSample(result);
  if (sample) {
    s.samples.push(sample);
    waves.finished(sample, s.now());
  } else waves.cancelled();
  if (result.outcome === "auth") {
    s.authFailure ??= result.reason ?? "the provider refused the credential";
    return giveBack(s, c, `auth: ${result.reason ?? "refused"}`);
  }
  if (result.call === "not-made") {
    if (result.outcome !== "throttled") s.stalled ??= result.reason ?? result.outcome;
    return giveBack(s, c, `not called: ${result.outcome}: ${result.reason ?? "no reason given"}`);
  }
  return recordOutcome(s, c, result, sample);
}
