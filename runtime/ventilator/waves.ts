/**
 * The controller inside a running batch. A batch can hold minutes of calls
 * (the mapping's batch size is sized in time, not in calls), so waiting for
 * its end to adapt would leave a struggling provider under the old limit and a
 * recovered one under a low limit for minutes. The adaptive strategy is
 * therefore fed one *wave* at a time: a wave closes when as many calls as the
 * limit have completed, or at once when a test of the evidence fires on it. Each wave's
 * decision sets the fan-out limit for the next calls of the same batch; the
 * reports are kept so the state can be replayed over a fresher copy if a
 * parallel batch saved first.
 *
 * The step strategy keeps the original demo's unit: one report per batch.
 */
import type { Provider } from "../catalog/provider";
import { strategyOf, waveShouldClose } from "../controller";
import { BREAKER, type BatchReport, type CallSample, type ControllerAction, type ControllerState } from "../controller/types";

/** The fan-out limit a controller state allows: 1 while half-open, never above maxFanOut. */
export function fanOutLimit(state: ControllerState, provider: Provider): number {
  return state.breaker.status === BREAKER.HALF_OPEN ? 1 : Math.max(1, Math.min(state.limit, provider.maxFanOut));
}

/** A wave's report and when it closed: the decision depends on the time (hysteresis, breaker waits). */
export interface TimedReport {
  report: BatchReport;
  at: number;
}

export class Waves {
  readonly reports: TimedReport[] = [];
  private state: ControllerState;
  private current: CallSample[] = [];
  private waveLimit: number;
  private inFlight = 0;
  private lowest: number;
  private wavePeak = 0;
  private readonly perWave: boolean;
  private readonly strategy;

  constructor(
    private readonly provider: Provider,
    initial: ControllerState,
  ) {
    this.state = initial;
    this.waveLimit = fanOutLimit(initial, provider);
    this.lowest = this.waveLimit;
    this.perWave = provider.controller.strategy !== "step";
    this.strategy = strategyOf(provider);
  }

  /** Calls the batch may have in flight now. */
  limit(): number {
    return this.waveLimit;
  }

  /** The lowest limit any wave of the batch ran under. */
  lowestLimit(): number {
    return this.lowest;
  }

  /** The breaker opened during this batch: start nothing more. */
  breakerOpen(): boolean {
    return this.state.breaker.status === BREAKER.OPEN;
  }

  started(): void {
    this.inFlight++;
    this.wavePeak = Math.max(this.wavePeak, this.inFlight);
  }

  /** A started call that never reached the provider (or was refused as unauthenticated): no sample. */
  cancelled(): void {
    this.inFlight--;
  }

  finished(sample: CallSample, now: number): void {
    this.inFlight--;
    this.current.push(sample);
    if (!this.perWave) return;
    if (this.current.length >= this.waveLimit || waveShouldClose(this.state, this.current, this.provider)) this.close(now);
  }

  /**
   * Takes in what the other batches saved meanwhile: the state becomes this
   * batch's reports replayed over the freshly loaded one, as decide() will
   * save it. Without it a parallel batch (another shard, or parallelization
   * above 1) would run on at a limit its siblings already lowered, for as long
   * as its batch lasts, and its calls would slow theirs.
   */
  rebase(fresh: ControllerState): void {
    if (!this.perWave) return;
    this.state = replay(this.provider, fresh, this.reports).state;
    this.waveLimit = fanOutLimit(this.state, this.provider);
    this.lowest = Math.min(this.lowest, this.waveLimit);
  }

  /** Closes the last, partial wave and returns every report of the batch. */
  finish(now: number): TimedReport[] {
    if (this.current.length > 0) this.close(now);
    return this.reports;
  }

  private close(now: number): void {
    const report: BatchReport = { samples: this.current, limit: this.waveLimit, peakInFlight: this.wavePeak };
    this.reports.push({ report, at: now });
    this.state = this.strategy.afterBatch(this.state, report, this.provider, now).state;
    this.current = [];
    this.wavePeak = this.inFlight;
    this.waveLimit = fanOutLimit(this.state, this.provider);
    this.lowest = Math.min(this.lowest, this.waveLimit);
  }
}

/** Replays a batch's reports over a controller state; the last action that is not `keep` is the one to apply. */
export function replay(provider: Provider, state: ControllerState, reports: readonly TimedReport[]): { state: ControllerState; action: ControllerAction } {
  const strategy = strategyOf(provider);
  let action: ControllerAction = { type: "keep" };
  for (const { report, at } of reports) {
    const decision = strategy.afterBatch(state, report, provider, at);
    state = decision.state;
    if (decision.action.type !== "keep") action = decision.action;
  }
  return { state, action };
}
