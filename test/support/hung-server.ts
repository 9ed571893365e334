import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server that accepts connections and never answers: the worst kind of failing peer
 * (a Redis or proxy that is wedged rather than down).
 */
export class HungServer {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(readonly port: number, server: Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
  }

  static start(): Promise<HungServer> {
    const server = createServer();
    return new Promise((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(new HungServer(typeof address === 'object' && address ? address.port : 0, server));
      });
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
