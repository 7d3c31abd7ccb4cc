// Simulated time for the budget simulation: a queue of callbacks ordered by time (then by scheduling order). No real waiting.

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** A discrete-event clock: `at` schedules, `run` plays every event in order, advancing `now`. */
export class Clock {
  now = 0;
  private heap: Scheduled[] = [];
  private seq = 0;

  /** Runs `run` at time `at` (ms), never before now. */
  at(at: number, run: () => void): void {
    this.push({ at: Math.max(at, this.now), seq: this.seq++, run });
  }

  /** Runs `run` `delay` ms from now. */
  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  /** Plays events until none is left. */
  run(): void {
    for (;;) {
      const next = this.pop();
      if (next === undefined) return;
      this.now = next.at;
      next.run();
    }
  }

  private before(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(item: Scheduled): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Scheduled;
      if (!this.before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): Scheduled | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.before(heap[right] as Scheduled, heap[left] as Scheduled) ? right : left;
      const c = heap[child] as Scheduled;
      if (!this.before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
