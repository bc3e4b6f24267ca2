// The TCP listener of the network front-end. It owns sockets only; what a frame means is the broker's business.
// It refuses connections over max.connections and max.connections.per.ip, and owns the broker-wide request and
// response byte budgets every connection draws on.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { listenError } from '../errors.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import { ClientConnection, type ConnectionLimits, type FrameDecoder, type MemoryBudgets } from './connection.js';
import { MemoryBudget } from './memory-budget.js';

/** How long a shutdown waits for in-flight requests before closing their connections anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface ListenOptions {
  host: string;
  port: number;
}

export interface ServerLimits extends ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Broker-wide: bytes read from sockets whose requests have not completed (queued.max.request.bytes). */
  queuedMaxRequestBytes: number;
  /** Broker-wide: bytes of responses being prepared (their bounds), queued or not yet flushed. */
  queuedMaxResponseBytes: number;
}

export class NetworkServer {
  readonly #server: Server;
  readonly #connections = new Set<ClientConnection>();
  readonly #perAddress = new Map<string, number>();
  readonly #log: Logger;
  readonly #limitedLog: RateLimitedLog;
  readonly budgets: MemoryBudgets;
  #nextConnectionId = 1;
  #closing = false;

  constructor(decode: FrameDecoder, limits: ServerLimits, log: Logger) {
    this.#log = log;
    this.#limitedLog = new RateLimitedLog(log);
    this.budgets = {
      requests: new MemoryBudget('queued.max.request.bytes', limits.queuedMaxRequestBytes, { pass: true }),
      responses: new MemoryBudget('queued.max.response.bytes', limits.queuedMaxResponseBytes),
    };
    this.#server = createServer({ noDelay: true }, (socket: Socket) => {
      if (this.#closing) {
        socket.destroy();
        return;
      }
      const address = socket.remoteAddress ?? '?';
      const fromAddress = this.#perAddress.get(address) ?? 0;
      if (this.#connections.size >= limits.maxConnections) {
        this.#refuse(socket, 'max-connections', `the broker already has max.connections (${limits.maxConnections}) connections`);
        return;
      }
      if (fromAddress >= limits.maxConnectionsPerIp) {
        this.#refuse(socket, 'max-connections-per-ip', `${address} already has max.connections.per.ip (${limits.maxConnectionsPerIp}) connections`);
        return;
      }
      this.#perAddress.set(address, fromAddress + 1);
      const connection = new ClientConnection(this.#nextConnectionId++, socket, decode, limits, this.budgets, log, this.#limitedLog, (c) =>
        this.#forget(c),
      );
      this.#connections.add(connection);
    });
    this.#server.on('error', (error) => log.error({ err: error }, 'listener error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #refuse(socket: Socket, kind: string, reason: string): void {
    socket.on('error', () => undefined);
    this.#limitedLog.write('warn', kind, { peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, reason }, 'connection refused');
    socket.destroy();
  }

  #forget(connection: ClientConnection): void {
    if (!this.#connections.delete(connection)) return;
    const left = (this.#perAddress.get(connection.remoteAddress) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(connection.remoteAddress, left);
    else this.#perAddress.delete(connection.remoteAddress);
  }

  listen(options: ListenOptions): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError('Kafka listener', options.host, options.port, error));
      this.#server.once('error', onError);
      this.#server.listen({ host: options.host, port: options.port }, () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('listener has no TCP address'));
          return;
        }
        resolve({ host: options.host, port: address.port });
      });
    });
  }

  /**
   * Stops accepting, then drains every connection: no new requests are taken, the ones in flight complete and
   * their responses are written, then the connection is closed (idle ones at once). Connections still busy
   * after `drainTimeoutMs` are closed regardless.
   */
  async close(drainTimeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const drained = Promise.all([...this.#connections].map((connection) => connection.drain()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), drainTimeoutMs);
    });
    const late = await Promise.race([drained.then(() => false as const), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.#log.warn({ connections: this.#connections.size, drainTimeoutMs }, 'connections still busy at the end of the drain timeout; closing them');
      for (const connection of this.#connections) connection.close('broker shutting down', 'debug');
    }
    await closed;
  }
}
