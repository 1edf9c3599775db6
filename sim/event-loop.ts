/**
 * The simulator's discrete-event loop over virtual time.
 *
 * Events sit in a binary min-heap ordered by (time, insertion number), so
 * events due at the same instant fire in the order they were scheduled. The
 * loop pops the earliest, sets `now` to its time, fires it (resolving a
 * promise, starting a batch, ticking the schedule), then waits for one
 * setImmediate: every promise continuation the event unblocked runs in the
 * microtask queue before it, so when the loop resumes, every in-flight async
 * chain of the real code is blocked on a future event again. The code under
 * simulation must therefore wait only on promises this loop resolves (no real
 * timers), which holds for the ventilator, the ledger on the memory store and
 * the simulated ports.
 */
export interface TimedEvent {
  at: number;
  seq: number;
  fire: () => void;
}

export type RunEnd = "done" | "drained" | "horizon";

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EventLoop {
  private heap: TimedEvent[] = [];
  private seq = 0;
  private current: number;
  private fired = 0;

  constructor(start: number) {
    if (!Number.isFinite(start)) throw new RangeError(`event loop start ${start} must be a finite epoch ms`);
    this.current = start;
  }

  get now(): number {
    return this.current;
  }

  /** Events fired so far. */
  get eventCount(): number {
    return this.fired;
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Fires `fire` at `at` (never before now: a past time fires at now, after what is already due). */
  at(at: number, fire: () => void): void {
    if (!Number.isFinite(at)) throw new RangeError(`event time ${at} must be finite`);
    this.push({ at: Math.max(at, this.current), seq: this.seq++, fire });
  }

  after(ms: number, fire: () => void): void {
    this.at(this.current + ms, fire);
  }

  /** A promise the loop resolves `ms` of virtual time from now. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /**
   * Runs until `done()` holds after an event, no event is left, or the next
   * event lies past `horizon` (now is then set to the horizon).
   */
  async run(opts: { horizon: number; done?: () => boolean }): Promise<RunEnd> {
    await settle();
    for (;;) {
      if (opts.done?.()) return "done";
      const next = this.heap[0];
      if (!next) return "drained";
      if (next.at > opts.horizon) {
        this.current = opts.horizon;
        return "horizon";
      }
      this.pop();
      this.current = next.at;
      this.fired++;
      next.fire();
      await settle();
    }
  }

  private push(e: TimedEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: TimedEvent, b: TimedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
