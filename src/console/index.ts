// Spate Console (see the README's Console section): the web UI and JSON API served on the broker's HTTP port.
export { SpateConsole, type ConsoleOptions } from './console.js';
export { consoleBrokerView, type ConsoleBrokerView } from './broker-view.js';
export { consoleEnabled } from './enabled.js';
export { consoleExtension } from './extension.js';
export type * from './api-types.js';
