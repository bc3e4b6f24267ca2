// Consumer lag over time for the group pages' charts, sampled every console.sample.interval.ms through the
// Kafka API (ListGroups, DescribeGroups, OffsetFetch, ListOffsets via Spate's Admin client) while the console is
// in use, so a broker nobody looks at gets no requests from it. Bounded: at most
// MAX_SAMPLED_GROUPS groups (the first by id), MAX_LAG_SERIES per-partition series in all (a group beyond it
// keeps its total only) and HISTORY_POINTS points each, so at most about 7 MB of numbers.
import type { Logger } from 'pino';
import type { Admin } from '../client/index.js';
import type { LagHistory } from './api-types.js';
import { HISTORY_POINTS } from './throughput-history.js';

export const MAX_SAMPLED_GROUPS = 100;
export const MAX_LAG_SERIES = 2000;
/** Sampling (Kafka requests) runs only while the console is used: it stops this long after the last API request. */
export const IDLE_STOP_MS = 15 * 60 * 1000;

interface GroupHistory {
  t: number[];
  total: Array<number | null>;
  partitions: Map<string, Array<number | null>>;
}

export class LagSampler {
  readonly #admin: () => Promise<Admin>;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #groups = new Map<string, GroupHistory>();
  #series = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #lastUsed = 0;
  #closed = false;

  constructor(admin: () => Promise<Admin>, intervalMs: number, log: Logger) {
    this.#admin = admin;
    this.#intervalMs = intervalMs;
    this.#log = log;
  }

  /** The console was used: sample now and every interval until it has been idle for IDLE_STOP_MS. */
  touch(): void {
    this.#lastUsed = Date.now();
    if (this.#timer === null && !this.#closed) this.#start();
  }

  #start(): void {
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastUsed > IDLE_STOP_MS) {
        clearInterval(this.#timer!);
        this.#timer = null;
        return;
      }
      // A sample still running (a slow broker) is not overtaken by the next.
      this.#running ??= this.sample()
        .catch((error: unknown) => this.#log.debug({ err: error }, 'console lag sample failed'))
        .finally(() => {
          this.#running = null;
        });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async sample(): Promise<void> {
    const admin = await this.#admin();
    const listed = (await admin.listGroups()).map((g) => g.groupId).slice(0, MAX_SAMPLED_GROUPS);
    const now = Date.now();
    for (const gone of [...this.#groups.keys()].filter((id) => !listed.includes(id))) {
      this.#series -= this.#groups.get(gone)!.partitions.size;
      this.#groups.delete(gone);
    }
    for (const groupId of listed) {
      if (this.#timer === null) return;
      const rows = await admin.groupLag(groupId).catch(() => null);
      if (rows === null) continue;
      let history = this.#groups.get(groupId);
      if (history === undefined) this.#groups.set(groupId, (history = { t: [], total: [], partitions: new Map() }));
      const known = rows.filter((r) => r.lag !== null);
      history.t.push(now);
      history.total.push(known.length === 0 ? null : known.reduce((sum, r) => sum + r.lag!, 0));
      const seen = new Set<string>();
      for (const r of rows) {
        const key = `${r.topic}/${r.partition}`;
        seen.add(key);
        let series = history.partitions.get(key);
        if (series === undefined) {
          if (this.#series >= MAX_LAG_SERIES) continue;
          series = new Array<number | null>(history.t.length - 1).fill(null);
          history.partitions.set(key, series);
          this.#series++;
        }
        series.push(r.lag);
      }
      for (const [key, series] of history.partitions) if (!seen.has(key)) series.push(null);
      if (history.t.length > HISTORY_POINTS) {
        history.t.shift();
        history.total.shift();
        for (const series of history.partitions.values()) series.shift();
      }
    }
  }

  history(groupId: string): LagHistory {
    const h = this.#groups.get(groupId);
    return {
      intervalMs: this.#intervalMs,
      t: h?.t ?? [],
      total: h?.total ?? [],
      partitions: Object.fromEntries(h?.partitions ?? []),
    };
  }
}
