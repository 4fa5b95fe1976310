// At most `max` tasks at a time; the others wait in line, first come first served.
//
// A waiting task watches for a free slot with timers of its own, instead of being woken by the
// task that frees one. The two may belong to different invocations of the host Worker (two
// requests sharing one executor), and a promise settled by one invocation runs the other's
// continuation, with its I/O, inside the first one, which may end before that I/O does. The
// timers also keep the waiting invocation alive while it waits. They back off from 1 ms to
// MAX_POLL_MS, so a long line costs a few wake-ups per second per waiting task.
//
// A waiter whose invocation was cut off (its timers cancelled) stops looking; after
// STALE_AFTER_MS without a look it loses its place, so it cannot hold up the line.

const MAX_POLL_MS = 32;
const STALE_AFTER_MS = 1000;

export class ConcurrencyLimit {
  #max;
  #running = 0;
  #line = [];  // waiting tickets, oldest first: { seen: ms }

  constructor(max) {
    this.#max = max;
  }

  async run(task) {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#running--;
    }
  }

  async #acquire() {
    if (this.#line.length === 0 && this.#running < this.#max) {
      this.#running++;
      return;
    }
    const ticket = { seen: Date.now() };
    this.#line.push(ticket);
    for (let delay = 1; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      ticket.seen = Date.now();
      this.#dropStale();
      if (this.#line[0] === ticket && this.#running < this.#max) break;
      if (!this.#line.includes(ticket)) this.#line.push(ticket);  // dropped while it slept long
    }
    this.#line.shift();
    this.#running++;
  }

  #dropStale() {
    const now = Date.now();
    this.#line = this.#line.filter((ticket) => now - ticket.seen <= STALE_AFTER_MS);
  }
}
