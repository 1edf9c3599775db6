/**
 * The simulator's discrete-event loop over virtual time.
 *
 * Events sit in a TimerHeap (timer-heap.ts), so events due at the same
 * instant fire in the order they were scheduled. The
 * loop pops the earliest, sets `now` to its time, fires it (resolving a
 * promise, starting a batch, ticking the schedule), then waits for one
 * setImmediate: every promise continuation the event unblocked runs in the
 * microtask queue before it, so when the loop resumes, every in-flight async
 * chain of the real code is blocked on a future event again. The code under
 * simulation must therefore wait only on promises this loop resolves (no real
 * timers), which holds for the ventilator, the ledger on the memory store and
 * the simulated ports.
 */
import { TimerHeap, type Timed } from "./timer-heap";

export type RunEnd = "done" | "drained" | "horizon";

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class EventLoop {
  private readonly timers = new TimerHeap<Timed>();
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
    return this.timers.size;
  }

  /** Fires `fire` at `at` (never before now: a past time fires at now, after what is already due). */
  at(at: number, fire: () => void): void {
    if (!Number.isFinite(at)) throw new RangeError(`event time ${at} must be finite`);
    this.timers.add({ at: Math.max(at, this.current), fire });
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
      const next = this.timers.peek();
      if (!next) return "drained";
      if (next.at > opts.horizon) {
        this.current = opts.horizon;
        return "horizon";
      }
      this.timers.removeFirst();
      this.current = next.at;
      this.fired++;
      next.fire();
      await settle();
    }
  }
}
