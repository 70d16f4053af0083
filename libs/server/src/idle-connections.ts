import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * On close, ends every connection that has no request in flight, and each busy one as soon as its last
 * response is done. Node's own idle-connection cleanup misses a connection a client opened but never
 * used (Node 20's fetch opens one after an aborted request), and a client that was promised a 72 s
 * keep-alive may hold it that long, past the shutdown grace period.
 */
export function closeConnectionsOnShutdown(fastify: FastifyInstance): void {
  const inFlight = new Map<Socket, number>();
  let closing = false;
  fastify.server.on('connection', (socket: Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  fastify.server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      if (closing && left === 0) socket.destroy();
    });
  });
  fastify.addHook('preClose', (done) => {
    closing = true;
    for (const [socket, count] of inFlight) if (count === 0) socket.destroy();
    done();
  });
}
