/**
 * The day's request budget inside one batch: reserved from the ledger a wave
 * at a time (one conditional write per wave, not per call), given back by
 * calls that never reached the provider (or were refused as unauthenticated),
 * and refunded when the batch ends with some left. Exhausted once the ledger
 * grants nothing more.
 *
 * A refund is written once and never retried: a refund applied twice would let
 * calls pass the limit, while one lost leaves the counter high (fewer calls
 * than allowed, never more).
 */
import type { LedgerPort } from "./ports";

export class DailyBudget {
  exhausted = false;
  private held = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly ledger: LedgerPort,
    private readonly day: string,
    private readonly limit: number | undefined,
  ) {}

  /** One call's worth, reserving `chunk` more from the ledger when none is held. */
  async take(chunk: number, now: number): Promise<boolean> {
    if (this.limit === undefined) return true;
    while (this.held === 0 && !this.exhausted) {
      this.pending ??= this.ledger.reserveRequests(this.day, chunk, this.limit, now).then(
        (granted) => {
          this.held += granted;
          if (granted === 0) this.exhausted = true;
          this.pending = null;
        },
        (error: unknown) => {
          this.pending = null;
          throw error;
        },
      );
      await this.pending;
    }
    if (this.held === 0) return false;
    this.held--;
    return true;
  }

  /** A taken call that the provider did not count: it goes back to the batch's reserve. */
  giveBack(): void {
    if (this.limit !== undefined) this.held++;
  }

  async refundUnused(): Promise<void> {
    const unused = this.held;
    this.held = 0;
    if (unused > 0) await this.ledger.refundRequests(this.day, unused).catch(() => 0);
  }
}
