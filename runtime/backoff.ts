/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): delay = random() × min(capMs, baseMs × 2^attempt).
 * Full jitter spreads the retries of many containers hitting the same shared
 * quota, where equal delays would make them collide again.
 */
export interface BackoffOptions {
  /** @default 100 */
  baseMs?: number;
  /** @default 5000 */
  capMs?: number;
}

/** `attempt` counts from 0 (the delay before the first retry). */
export function fullJitterDelay(attempt: number, random: () => number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 100;
  const cap = opts.capMs ?? 5_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Real waiting, for production wiring; tests inject their own. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
