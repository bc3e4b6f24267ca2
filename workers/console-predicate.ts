// Thread entry point of a console predicate filter (see src/console/predicate-sandbox.ts): compiles the
// predicate given in workerData, then answers one message per slice of records with the matches. Started with a
// heap limit by src/console/predicate-filter.ts, which also ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { runPredicateWorker, type PredicateWorkerData } from '../src/console/predicate-worker.js';

runPredicateWorker(parentPort!, workerData as PredicateWorkerData);
