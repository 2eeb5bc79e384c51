import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The dev server's HTTP plumbing: choosing a port, listening, and stopping without cutting work in flight.

/** A free loopback port (for port 0: chosen before the server can listen, see below). */
export const freePort = () =>
  new Promise<number>((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });

/** Whether a loopback port can be listened on now (a hint: another process may take it before we do). */
export const isPortFree = (port: number) =>
  new Promise<boolean>((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });

export const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done((server.address() as AddressInfo).port));
  });

/** Stops accepting connections, waits for `drain` (work in flight), then drops the connections left open. */
export const closeServer = async (server: Server, drain?: () => Promise<unknown>) => {
  const closed = new Promise<void>((done) => server.close(() => done()));
  await drain?.();
  server.closeAllConnections?.();
  await closed;
};
