// A counting window: at most `limit` requests outstanding; acquire() waits for a free slot.
export class Window {
  #used = 0;
  #waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get used(): number {
    return this.#used;
  }

  acquire(): Promise<void> | undefined {
    if (this.#used < this.limit) {
      this.#used++;
      return undefined;
    }
    return new Promise((resolve) => this.#waiters.push(() => {
      this.#used++;
      resolve();
    }));
  }

  release(): void {
    this.#used--;
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else if (this.#used === 0) for (const idle of this.#idle.splice(0)) idle();
  }

  #idle: Array<() => void> = [];

  /** Resolves once nothing is outstanding. */
  drained(): Promise<void> {
    if (this.#used === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wall-clock milliseconds with microsecond resolution, comparable across processes on one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Waits for `promise` at most `ms`; the timer never keeps the process alive after the promise settles. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
