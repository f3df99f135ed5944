/** Loopback ports: a free one from the OS, and a bounded wait until a TCP port accepts. */
import { createConnection, createServer } from 'node:net';
import { waitFor } from './procs.js';

/** Asks the OS for a free TCP port on 127.0.0.1 (bind :0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves true when a TCP connection to host:port (or a Unix socket path) succeeds. */
export function canConnect(target: { port: number; host?: string } | { path: string }, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock =
      'path' in target ? createConnection(target.path) : createConnection(target.port, target.host ?? '127.0.0.1');
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<true> {
  return waitFor(`${host}:${port} to accept`, () => canConnect({ port, host }), timeoutMs);
}
