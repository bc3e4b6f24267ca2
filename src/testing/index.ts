// `spate/testing`: a real Kafka-compatible broker for a test suite, in the test's own process. It starts in
// well under a second on a free port with a temporary data dir, pre-creates topics, resets to that state
// between tests without restarting, and closes with `await using`. Any Kafka client can connect to it.
//
//   import { startBroker } from 'spate/testing';
//   await using broker = await startBroker({ topics: [{ name: 'orders', partitions: 3 }] });
//   // new Kafka({ brokers: [broker.bootstrap] }) ... ; await broker.readToEnd('orders')
//
// Like the package entry (src/index.ts) it checks the Node.js version before loading any broker module.
import type * as Implementation from './test-broker.js';
import { nodeVersionProblem } from '../node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== null) throw new Error(problem);

const implementation = await import('./test-broker.js');

export const startBroker: typeof Implementation.startBroker = implementation.startBroker;
export const TestBroker: typeof Implementation.TestBroker = implementation.TestBroker;
export type TestBroker = Implementation.TestBroker;
export const TEST_BROKER_DEFAULTS: typeof Implementation.TEST_BROKER_DEFAULTS = implementation.TEST_BROKER_DEFAULTS;
export type { TestBrokerOptions } from './test-broker.js';
export type { ResetResult } from './reset.js';
export type { ReadOptions, TestMessage } from './read.js';
export type { TopicSpec } from '../api.js';
