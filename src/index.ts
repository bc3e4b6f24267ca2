// Public entry point of the package (`import { startBroker } from 'spate'`). It checks the Node.js version
// before loading the broker, whose modules need a newer Node than many machines ship: an old Node gets an
// error saying what is needed instead of a SyntaxError from deep inside node:zlib.
import type { Broker as BrokerClass } from './broker/broker.js';
import type { SpateError as SpateErrorClass } from './errors.js';
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem !== null) throw new Error(problem);

const api = await import('./api.js');

export const startBroker: typeof api.startBroker = api.startBroker;
export const resolveBrokerConfig: typeof api.resolveBrokerConfig = api.resolveBrokerConfig;
export const Broker: typeof api.Broker = api.Broker;
export type Broker = BrokerClass;
export const SpateError: typeof api.SpateError = api.SpateError;
export type SpateError = SpateErrorClass;
export type { BrokerConfig, BrokerConfigInput, RunningBroker, SpateErrorCode, StartBrokerOptions, TopicSpec } from './api.js';
