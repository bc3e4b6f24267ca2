// Thread entry point of a partition worker: it hosts many partition actors (see src/partition/worker-host.ts).
import { workerData } from 'node:worker_threads';
import { runPartitionWorker, type PartitionWorkerData } from '../src/partition/worker-host.js';

runPartitionWorker(workerData as PartitionWorkerData);
