/**
 * Runs work items with at most `limit` in flight, starting them in order; a
 * function limit is read before every start, so it can change as results come in.
 * Before each start it asks `mayStart()`: the ventilator stops starting calls
 * when its remaining time could not cover one more worker call, or when the
 * batch already shows congestion, and hands the rest back unstarted.
 */
export interface FanOutResult<R> {
  /** Result per item index; undefined for items never started. */
  results: (R | undefined)[];
  /** Indices of items that were not started, in order. */
  notStarted: number[];
  peakInFlight: number;
}

export async function fanOut<T, R>(
  items: readonly T[],
  limit: number | (() => number),
  run: (item: T, index: number) => Promise<R>,
  mayStart: () => boolean = () => true,
): Promise<FanOutResult<R>> {
  const limitNow = (): number => {
    const n = typeof limit === "function" ? limit() : limit;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`fan-out limit must be a positive integer, got ${n}`);
    return n;
  };
  limitNow();
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;

  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (!stopped && next < items.length && inFlight < limitNow()) {
        if (!mayStart()) {
          stopped = true;
          break;
        }
        const index = next++;
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        run(items[index]!, index).then(
          (r) => {
            results[index] = r;
            inFlight--;
            pump();
          },
          (error: unknown) => {
            // Let the calls already in flight finish before failing: their outcomes are still recorded.
            failure ??= { error };
            stopped = true;
            inFlight--;
            pump();
          },
        );
      }
      if (inFlight === 0 && (stopped || next >= items.length)) {
        if (failure) reject(failure.error);
        else resolve();
      }
    };
    pump();
  });

  const notStarted: number[] = [];
  for (let i = next; i < items.length; i++) notStarted.push(i);
  return { results, notStarted, peakInFlight };
}
