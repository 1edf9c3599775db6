/**
 * Faults the search arms, and the kill of a Lambda execution.
 *
 * A fault kind is armed with a count: the next `count` operations of that
 * kind fail that way. A Kill stands for one Lambda execution: once killed,
 * nothing it started may continue (every port call it makes, or was waiting
 * on, never settles), as Lambda freezes and resets the environment; effects
 * that already reached another system (a write DynamoDB applied, an invoked
 * worker) stay.
 */
export const FAULT_KINDS = [
  /** DynamoDB refused the request (throttling): nothing applied. */
  "dynamo-reject",
  /** DynamoDB applied the write but the answer was lost (a 500, a reset connection). */
  "dynamo-lost",
  /** DynamoDB answers, but takes seconds. */
  "dynamo-slow",
  /** Lambda throttled a worker invoke (TooManyRequestsException): the worker never ran. */
  "lambda-throttle",
  /** The connection to Lambda was refused: the invoke never left. */
  "invoke-refused",
  /** The worker ran, but its answer never came back to the ventilator. */
  "answer-lost",
  /** The worker crashed after its fetch, before its guard wrote anything. */
  "worker-crash",
  /** The provider takes longer than the worker's timeout. */
  "provider-slow",
  /** The provider answers 500. */
  "provider-error",
  /** The provider answers 429 with a Retry-After. */
  "provider-throttle",
  /** The worker cannot read its credential (Secrets Manager). */
  "secret-failure",
  /** The landing store (S3) refuses the body. */
  "landing-failure",
  /** Control-plane answers for the mapping (Get/List/Update). */
  "cp-throttle",
  "cp-in-use",
  "cp-conflict",
  "cp-denied",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export class Faults {
  private readonly armed = new Map<FaultKind, number>();
  /** Off during the final drain: the system must then finish what it holds. */
  enabled = true;

  arm(kind: FaultKind, count: number): void {
    this.armed.set(kind, (this.armed.get(kind) ?? 0) + count);
  }

  /** Consumes one armed fault of `kind`, if any. */
  take(kind: FaultKind): boolean {
    if (!this.enabled) return false;
    const n = this.armed.get(kind) ?? 0;
    if (n <= 0) return false;
    this.armed.set(kind, n - 1);
    return true;
  }

  clear(): void {
    this.armed.clear();
  }
}

/** One Lambda execution that can be killed. */
export class Kill {
  killed = false;
  private readonly onKill: (() => void)[] = [];

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    for (const f of this.onKill.splice(0)) f();
  }

  whenKilled(f: () => void): void {
    if (this.killed) f();
    else this.onKill.push(f);
  }

  /** `p` as the execution sees it: never settles once the execution is killed. */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.killed) return new Promise(() => undefined);
    return new Promise<T>((resolve, reject) => {
      p.then(
        (v) => {
          if (!this.killed) resolve(v);
        },
        (e: unknown) => {
          if (!this.killed) reject(e);
        },
      );
    });
  }
}
