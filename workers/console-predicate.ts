// Process entry point of a console predicate filter (see src/console/predicate-sandbox.ts), forked by
// src/console/predicate-filter.ts with a small heap limit: a predicate that exhausts it ends this process only.
import { runPredicateProcess } from '../src/console/predicate-worker.js';

runPredicateProcess({
  send: (message) => process.send?.(message),
  onMessage: (handler) => process.on('message', handler),
});
