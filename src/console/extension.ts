// The console as one of the broker's HTTP extensions: the entry points that start a broker (startBroker, `spate
// start`, spate/testing) pass this factory, so the broker layer never imports the console above it.
import type { HttpExtensionFactory } from '../broker/broker.js';
import { consoleBrokerView } from './broker-view.js';
import { SpateConsole } from './console.js';
import { consoleEnabled } from './enabled.js';

export const consoleExtension: HttpExtensionFactory = (broker, metrics) => {
  if (!consoleEnabled(broker.config)) return null;
  const ui = new SpateConsole(consoleBrokerView(broker, metrics), broker.logger.child({ component: 'console' }));
  return { name: 'console', path: '/console/', routes: ui.routes, start: () => ui.start(), close: () => ui.close() };
};
