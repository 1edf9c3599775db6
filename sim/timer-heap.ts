/**
 * Timers of a virtual clock in a binary min-heap ordered by (time, insertion
 * number): timers due at the same instant come out in the order they were
 * added. Shared by the simulator's event loop and the fault search's.
 */
export interface Timed {
  at: number;
  fire: () => void;
}

interface Entry<T> {
  timer: T;
  seq: number;
}

export class TimerHeap<T extends Timed> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest timer, or undefined when there is none. */
  peek(): T | undefined {
    return this.heap[0]?.timer;
  }

  add(timer: T): void {
    const h = this.heap;
    h.push({ timer, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Removes the earliest timer. */
  removeFirst(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
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

function before<T extends Timed>(a: Entry<T>, b: Entry<T>): boolean {
  return a.timer.at < b.timer.at || (a.timer.at === b.timer.at && a.seq < b.seq);
}
