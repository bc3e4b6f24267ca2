// What the front-end does with each WorkerEvent: storage errors and an offline log dir go to LogDirHealth,
// damaged segments and retention deletions become log lines, and retention's new log start offsets go to
// whoever keeps the front-end's copy of them.
import type { Logger } from 'pino';
import type { LogDirHealth } from './log-dir-health.js';
import type { WorkerEvent } from './worker-events.js';

/** Retention moved a partition's log start offset (the front-end keeps a copy of it). */
export interface LogStartMoved {
  partitionId: number;
  topic: string;
  partition: number;
  logStartOffset: number;
}

export interface WorkerEventSinks {
  health: LogDirHealth;
  log: Logger;
  logStartMoved(moved: LogStartMoved): void;
}

export function handleWorkerEvent(worker: number, event: WorkerEvent, sinks: WorkerEventSinks): void {
  switch (event.type) {
    case 'storage-errors':
      sinks.health.storageErrors(worker, event.errors);
      return;
    case 'log-dir-offline':
      sinks.health.markOffline(worker, event.reason);
      return;
    case 'segment-damaged': {
      const { damage, partition } = event;
      const message =
        damage.cutBytes > 0
          ? `damaged segment ${damage.segment} of ${partition}: ${damage.problem}; cut back to its last valid batch (offset ${damage.offset}), the ${damage.cutBytes} bytes after it kept in ${damage.quarantineFile}; every later segment kept`
          : `damaged log ${partition} after segment ${damage.segment}: ${damage.problem}; every later segment kept, reads skip the hole`;
      sinks.log.error({ worker, partition, ...damage }, message);
      return;
    }
    case 'retention': {
      const { partitionId, topic, partition, logStartOffset } = event;
      sinks.log.info(
        { worker, partition: `${topic}-${partition}`, deletedSegments: event.deletedSegments, deletedBytes: event.deletedBytes, logStartOffset },
        'deleted segments past retention',
      );
      sinks.logStartMoved({ partitionId, topic, partition, logStartOffset });
    }
  }
}
