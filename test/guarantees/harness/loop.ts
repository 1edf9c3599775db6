/**
 * Virtual time for the fault search. Timers sit in a min-heap ordered by
 * (time, insertion); the loop fires the earliest, then lets every promise
 * chain it unblocked run to its next wait before it moves on: it yields to
 * setImmediate until no tracked I/O (DynamoDB Local requests) is pending and
 * one more turn changes nothing. The code under test must wait only on this
 * loop's sleeps or on tracked I/O, never on real timers.
 */
interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualLoop {
  private heap: Timer[] = [];
  private seq = 0;
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
    this.push({ at: Math.max(at, this.current), seq: this.seq++, fire });
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
      const next = this.heap[0];
      if (!next || next.at > until) break;
      this.pop();
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
      const next = this.heap[0];
      if (!next) throw new Error("virtual loop: a task waits on nothing the loop will fire");
      this.pop();
      this.current = next.at;
      next.fire();
      await this.settle();
    }
    return watched;
  }

  /** When nothing is due before `horizon`, true. */
  idleUntil(horizon: number): boolean {
    return this.heap.length === 0 || this.heap[0]!.at > horizon;
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

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!earlier(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
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
      if (l < h.length && earlier(h[l]!, h[m]!)) m = l;
      if (r < h.length && earlier(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
