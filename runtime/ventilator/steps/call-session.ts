/**
 * What the calls of one batch share while they run: the fan-out (waves), the
 * daily budget, the samples for the controller, and the reasons to start
 * nothing more. A call may start at `at` only if
 *
 *   nothing holds the batch  ∧  budget left  ∧  breaker closed
 *   ∧  at + callBound ≤ min(window closes, provider day ends)
 *   ∧  at + callRun ≤ the claim's lease  ∧  the invocation has time to start it
 *
 * (callBound: worker timeout, cold start and slack; see catalog/timing.ts).
 */
import type { Provider } from "../../catalog/provider";
import { callBoundMs, callRunMs, timeToStartCallMs } from "../../catalog/timing";
import type { CallSample } from "../../controller/types";
import { providerDayEnd } from "../../windows/clock";
import type { DailyBudget } from "../daily-budget";
import { gate, type Gate } from "../gate";
import { loadPipeline } from "../pipeline-state";
import type { LedgerPort } from "../ports";
import type { Waves } from "../waves";
import { sleeperOf, type InvocationContext, type Sleep, type VentilatorDeps } from "./deps";

/**
 * How often a running batch re-reads the gate (operator pause, window, breaker
 * opened by a parallel batch): batches can run for minutes, and a pause or a
 * maintenance window must not wait for the batch to end.
 */
export const GATE_RECHECK_MS = 10_000;

/**
 * The end of the access window (`closesAt`, from the gate) or of the
 * provider's day, whichever comes first: every call of the batch must have
 * ended by then.
 */
export function windowOrDayEnd(provider: Provider, closesAt: number | null, now: number): number {
  return Math.min(closesAt ?? Infinity, providerDayEnd(provider.timezone, now));
}

export class CallSession {
  readonly provider: Provider;
  readonly sleep: Sleep;
  readonly samples: CallSample[] = [];
  /** The provider refused the credential: the provider is paused, nothing more starts. */
  authFailure: string | null = null;
  /** A call the worker could not make (its credential unreadable, Lambda refusing): start nothing more, hand the rest back. */
  stalled: string | null = null;
  /** The gate closed while the batch ran (once closed, the batch starts nothing more). */
  held: Exclude<Gate, { open: true }> | null = null;
  private checkedAt: number;
  private readonly stopAt: number;
  private readonly boundMs: number;
  private readonly runMs: number;

  constructor(
    readonly deps: VentilatorDeps,
    readonly ledger: LedgerPort,
    readonly context: InvocationContext,
    readonly budget: DailyBudget,
    readonly waves: Waves,
    closesAt: number | null,
    now: number,
  ) {
    this.provider = deps.provider;
    this.sleep = sleeperOf(deps);
    this.checkedAt = now;
    // Known at the start; the gate re-check would see them only up to GATE_RECHECK_MS late.
    this.stopAt = windowOrDayEnd(this.provider, closesAt, now);
    this.boundMs = callBoundMs(this.provider);
    this.runMs = callRunMs(this.provider);
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** Re-reads the gate at most every GATE_RECHECK_MS, taking in what parallel batches saved. */
  async stillOpen(): Promise<boolean> {
    const t = this.now();
    if (this.held || t - this.checkedAt < GATE_RECHECK_MS) return this.held === null;
    this.checkedAt = t;
    const fresh = await loadPipeline(this.ledger, this.provider, t);
    this.waves.rebase(fresh.controller);
    const g = gate(this.provider, fresh.pause, fresh.controller, t);
    if (!g.open) this.held ??= g;
    return this.held === null;
  }

  /** Whether a call may start at `at` (see the header). */
  fits(at: number, leaseUntil: number = Infinity): boolean {
    return (
      this.held === null &&
      this.authFailure === null &&
      this.stalled === null &&
      !this.budget.exhausted &&
      at + this.boundMs <= this.stopAt &&
      at + this.runMs <= leaseUntil &&
      !this.waves.breakerOpen() &&
      this.context.getRemainingTimeInMillis() > timeToStartCallMs(this.provider)
    );
  }
}
