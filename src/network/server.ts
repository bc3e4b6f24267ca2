// The TCP listener of the network front-end. It owns sockets only; what a frame means is the broker's business.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ClientConnection, type ConnectionLimits, type FrameProcessor } from './connection.js';
import { listenError } from '../errors.js';

/** How long a shutdown waits for in-flight requests before closing their connections anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface ListenOptions {
  host: string;
  port: number;
}

export class NetworkServer {
  readonly #server: Server;
  readonly #connections = new Set<ClientConnection>();
  readonly #log: Logger;
  #nextConnectionId = 1;
  #closing = false;

  constructor(processFrame: FrameProcessor, limits: ConnectionLimits, log: Logger) {
    this.#log = log;
    this.#server = createServer({ noDelay: true }, (socket: Socket) => {
      if (this.#closing) {
        socket.destroy();
        return;
      }
      const connection = new ClientConnection(this.#nextConnectionId++, socket, processFrame, limits, log, (c) =>
        this.#connections.delete(c),
      );
      this.#connections.add(connection);
    });
    this.#server.on('error', (error) => log.error({ err: error }, 'listener error'));
  }

  get connectionCount(): number {
    return this.#connections.size;
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
