/**
 * Leaves the worker time to classify, land the body and answer before its own
 * Lambda timeout would cut it off: timeout − min(5 s, 20 % of it), at least 100 ms.
 */
export function fetchTimeoutMs(workerTimeoutMs: number): number {
  return Math.max(100, Math.floor(workerTimeoutMs - Math.min(5_000, workerTimeoutMs * 0.2)));
}
