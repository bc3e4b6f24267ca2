// console.enable: true, false, or auto (the default): on when the HTTP port listens on a loopback address, where
// only this machine can reach it (the console has no login until Spate has users).
import type { BrokerConfig } from '../config/broker-config.js';
import { isLoopbackHost } from './request-guard.js';

export function consoleEnabled(config: BrokerConfig): boolean {
  const setting = config.properties['console.enable'];
  if (setting === 'auto') return isLoopbackHost(config.host);
  return setting === 'true';
}
