// Storage health at scrape time: storage errors per operation, and whether the log dir is offline. Both come
// from the front-end's LogDirHealth, fed by the partition workers' events.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LogDirHealth } from '../../partition/log-dir-health.js';

export function registerStorageMetrics(registry: Registry, health: LogDirHealth, dataDir: string): void {
  new Counter({
    name: 'spate_storage_errors_total',
    help: 'Storage operations that failed (a write, fdatasync, read, retention delete, checkpoint, ...), by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [operation, count] of health.errorCounts) this.inc({ operation }, count);
    },
  });
  new Gauge({
    name: 'spate_log_dir_offline',
    help: '1 once the log dir has been taken offline after storage failures (every partition then answers KAFKA_STORAGE_ERROR until restart), else 0.',
    labelNames: ['dir'] as const,
    registers: [registry],
    collect() {
      this.set({ dir: dataDir }, health.offline ? 1 : 0);
    },
  });
}
