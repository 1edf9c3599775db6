/**
 * The control-plane request quota as a token bucket: it holds at most
 * `burst` tokens, refills `ratePerSecond` tokens a second, and a request takes
 * one or is refused.
 *   tokens(t) = min(burst, tokens(t0) + (t − t0) / 1000 × ratePerSecond)
 * Lambda's limit is 15 requests/s per account and Region for all control-plane
 * calls together; AWS does not publish its burst, so it defaults to one second's worth.
 */
import type { Clock } from "../../runtime/ventilator/ports";

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: Clock,
    readonly burst: number = ratePerSecond,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`TokenBucket: ratePerSecond ${ratePerSecond} must be a finite number > 0`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`TokenBucket: burst ${burst} must be a finite number >= 1`);
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Takes a token if one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds until the next token, rounded up: the Retry-After a refused caller gets. */
  secondsUntilNext(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.ratePerSecond);
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that steps back must not drain the bucket.
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }
}
