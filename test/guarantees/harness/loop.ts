/**
 * Virtual time for the fault search. Timers sit in the simulator's TimerHeap
 * (ordered by time, then insertion); the loop fires the earliest, then lets every promise
 * chain it unblocked run to its next wait before it moves on: it yields to
 * setImmediate until no tracked I/O (DynamoDB Local requests) is pending and
 * one more turn changes nothing. The code under test must wait only on this
 * loop's sleeps or on tracked I/O, never on real timers.
 */
import { TimerHeap, type Timed } from "../../../sim/timer-heap";

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualLoop {
  private readonly timers = new TimerHeap<Timed>();
  private current: number;
  private io = 0;
  private moved = 0;

  /** `realIo`: some awaited work is real I/O (DynamoDB Local), tracked with `track`. */
  constructor(
    start: number,
    private readonly realIo = false,
  ) {
    this.current = start;
  }

  get now(): number {
    return this.current;
  }

  /** The Clock port over virtual time. */
  readonly clock = { now: (): number => this.current };

  at(at: number, fire: () => void): void {
    this.timers.add({ at: Math.max(at, this.current), fire });
  }

  sleep = (ms: number): Promise<void> => new Promise((resolve) => this.at(this.current + Math.max(0, ms), resolve));

  /** Wraps real I/O so the loop waits for it before time moves on. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.io++;
    try {
      return await work();
    } finally {
      this.io--;
      this.moved++;
    }
  }

  /** Fires every timer due up to `until`, then sets the time to `until`. */
  async runUntil(until: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers.peek();
      if (!next || next.at > until) break;
      this.timers.removeFirst();
      this.current = next.at;
      next.fire();
      await this.settle();
    }
    this.current = Math.max(this.current, until);
    await this.settle();
  }

  /** Runs the loop, timer by timer, until `task` settles; rejects if it is still pending when no timer is left. */
  async drive<T>(task: Promise<T>): Promise<T> {
    let settled = false;
    const watched = task.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    await this.settle();
    while (!settled) {
      const next = this.timers.peek();
      if (!next) throw new Error("virtual loop: a task waits on nothing the loop will fire");
      this.timers.removeFirst();
      this.current = next.at;
      next.fire();
      await this.settle();
    }
    return watched;
  }

  /** When nothing is due before `horizon`, true. */
  idleUntil(horizon: number): boolean {
    const next = this.timers.peek();
    return next === undefined || next.at > horizon;
  }

  private async settle(): Promise<void> {
    // Without real I/O, one turn runs every promise continuation a timer unblocked.
    if (!this.realIo) return turn();
    for (;;) {
      const before = this.moved;
      await turn();
      if (this.io > 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        continue;
      }
      await turn();
      if (this.io === 0 && this.moved === before) return;
    }
  }
}
