// A broker-wide count of bytes held on behalf of clients, against a limit. Connections add what they hold and
// release it when done; a connection that finds the budget spent stops taking more and waits to be woken when
// bytes are returned. The budget only counts: it never allocates, so a connection may overshoot it by what one
// socket read delivers before it checks.
//
// A budget made with a pass lets one waiter at a time go on past the limit. Requests that arrive in pieces could
// otherwise fill the budget between them and none could finish (two 100 MiB frames in a 128 MiB budget); with the
// pass they finish one after the other, at a cost of one request beyond the limit.

/** Something that waits for budget: retried, in the order it registered, when bytes are returned. */
export interface BudgetWaiter {
  /**
   * Takes what it can now. Returns the bytes it may go on to take (a resumed socket read, a started request), so
   * the budget wakes no more waiters than there is room for; a waiter that still cannot proceed registers again.
   */
  retry(): number;
}

export class MemoryBudget {
  readonly name: string;
  readonly limitBytes: number;
  readonly #hasPass: boolean;
  #used = 0;
  readonly #waiters = new Set<BudgetWaiter>();
  #wakeScheduled = false;
  /** Registrations made while a wake pass runs: they join the queue after it, so one pass retries each waiter once. */
  #deferred: BudgetWaiter[] | null = null;
  #passHolder: BudgetWaiter | null = null;

  constructor(name: string, limitBytes: number, options: { pass?: boolean } = {}) {
    this.name = name;
    this.limitBytes = limitBytes;
    this.#hasPass = options.pass ?? false;
  }

  /** The pass can be taken now (this budget has one and no one holds it). */
  get #passFree(): boolean {
    return this.#hasPass && this.#passHolder === null;
  }

  get usedBytes(): number {
    return this.#used;
  }

  /** True when nothing more should be taken until bytes are returned. */
  get exhausted(): boolean {
    return this.#used >= this.limitBytes;
  }

  /** Whether `bytes` more would stay within the limit. */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.limitBytes;
  }

  add(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    if (this.#waiters.size > 0 && (!this.exhausted || this.#passFree)) this.#scheduleWake();
  }

  /** Registers `waiter` to be retried once bytes are returned (idempotent). */
  wait(waiter: BudgetWaiter): void {
    if (this.#deferred) this.#deferred.push(waiter);
    else this.#waiters.add(waiter);
  }

  /** Withdraws a registration (the waiter closed, or no longer needs the budget). */
  cancel(waiter: BudgetWaiter): void {
    this.#waiters.delete(waiter);
    if (this.#deferred) {
      const at = this.#deferred.indexOf(waiter);
      if (at >= 0) this.#deferred.splice(at, 1);
    }
  }

  /**
   * Whether `waiter` may go on past the limit: it holds the pass, or the pass is free and no one waited longer.
   * It keeps the pass until endPass().
   */
  takePass(waiter: BudgetWaiter): boolean {
    if (this.#passHolder === waiter) return true;
    if (!this.#passFree) return false;
    const first = this.#waiters.values().next();
    if (!first.done && first.value !== waiter) return false;
    this.#passHolder = waiter;
    this.#waiters.delete(waiter);
    return true;
  }

  holdsPass(waiter: BudgetWaiter): boolean {
    return this.#passHolder === waiter;
  }

  /** Gives the pass back; the longest waiter is offered it. */
  endPass(waiter: BudgetWaiter): void {
    if (this.#passHolder !== waiter) return;
    this.#passHolder = null;
    if (this.#waiters.size > 0) this.#scheduleWake();
  }

  get waiterCount(): number {
    return this.#waiters.size;
  }

  /**
   * Retries waiters in registration order, once per turn of the event loop however many releases happened in it,
   * until the room left is promised; the rest keep their place for the next release.
   */
  #scheduleWake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      const deferred: BudgetWaiter[] = [];
      this.#deferred = deferred;
      let room = this.limitBytes - this.#used;
      try {
        for (const waiter of this.#waiters) {
          // With no room, waiters are still retried while the pass is free: the first that needs it takes it.
          if (room <= 0 && !this.#passFree) break;
          this.#waiters.delete(waiter);
          room -= waiter.retry();
        }
      } finally {
        this.#deferred = null;
        for (const waiter of deferred) this.#waiters.add(waiter);
      }
    });
  }
}
