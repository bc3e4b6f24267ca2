// The TCP listener of the network front-end. It owns sockets only; what a frame means is the broker's business.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { ClientConnection, type ConnectionLimits, type FrameProcessor } from './connection.js';

export interface ListenOptions {
  host: string;
  port: number;
}

export class NetworkServer {
  readonly #server: Server;
  readonly #connections = new Set<ClientConnection>();
  #nextConnectionId = 1;

  constructor(processFrame: FrameProcessor, limits: ConnectionLimits, log: Logger) {
    this.#server = createServer({ noDelay: true }, (socket: Socket) => {
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
      const onError = (error: Error): void => reject(error);
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

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.close('broker shutting down', 'debug');
    await closed;
  }
}
