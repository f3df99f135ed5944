/**
 * The door to the HTTP side, cheap to import: the HTTP server, the XML-RPC codec and the method
 * map (and node:http) are loaded when the first HTTP connection arrives, so a daemon that is
 * never asked over HTTP does not carry them.
 */
import type net from 'node:net';
import type { XmlRpcHttpOptions, XmlRpcHttpServer } from './http-server.js';

export type HttpEntry = ((socket: net.Socket, data?: Record<string, unknown>) => void) & { close(): void };

export function lazyHttpServer(options: XmlRpcHttpOptions): HttpEntry {
  let server: Promise<XmlRpcHttpServer> | null = null;
  let closed = false;
  const entry = (socket: net.Socket, data: Record<string, unknown> = {}) => {
    // Input waits (paused) while the module loads.
    socket.pause();
    server ??= import('./http-server.js').then((m) => m.createXmlRpcHttpServer(options));
    server.then(
      (s) => {
        if (closed || socket.destroyed) {
          socket.destroy();
          return;
        }
        s.serve(socket, data);
        socket.resume();
      },
      (err: unknown) => {
        options.logger.log('error', `HTTP server could not be loaded: ${(err as Error)?.message ?? String(err)}`);
        socket.destroy();
      },
    );
  };
  entry.close = () => {
    closed = true;
    void server?.then((s) => s.close());
  };
  return entry;
}

/**
 * Whether a connection's first bytes are an HTTP request line (`POST /RPC2 HTTP/1.1`, `GET …`):
 * a method token of capital letters. A JSON-RPC frame starts with `{` (or white space).
 */
export function looksLikeHttp(first: Buffer): boolean {
  const c = first[0];
  return c !== undefined && c >= 0x41 && c <= 0x5a;
}
