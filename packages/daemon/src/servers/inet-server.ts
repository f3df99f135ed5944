/**
 * [inet_http_server] port=host:port: supervisor's HTTP server on TCP (XML-RPC at /RPC2, the
 * logtail streams), with the section's username/password, and JSON-RPC as on the control
 * socket (told apart by the first bytes), so that tsupervisorctl works with an http:// server
 * URL. Loaded only when the section is configured; the HTTP code itself loads on the first
 * HTTP connection.
 */
import net from 'node:net';
import type { Handlers } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { InetHttpServerConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import { AlreadyRunning, serveSniffed, serversOf, trackConnection } from './control-server.js';
import { needsRootHint } from '../sockets/needs-root.js';

export interface InetHttpServerOptions {
  config: InetHttpServerConfig;
  handlers: Handlers<Connection>;
  logger: Logger;
  accepting(): boolean;
  auditPath?: string | null;
  metrics?: MetricsRecorder;
  /** reexec: the listening fd the previous image kept (control-server.ts handOverListener). */
  adoptFd?: number;
}

/**
 * What supervisord says when it cannot open its HTTP server (options.openhttpservers), for the
 * error `startInetHttpServer` rejects with.
 */
export function openErrorMessage(err: unknown): string {
  if (err instanceof AlreadyRunning) return err.message;
  const { code, errno } = err as NodeJS.ErrnoException;
  if (code && typeof errno === 'number') return `Cannot open an HTTP server: socket.error reported errno.${code} (${Math.abs(errno)})`;
  return (err as Error)?.message ?? String(err);
}

export async function startInetHttpServer(options: InetHttpServerOptions): Promise<net.Server> {
  const { config, logger } = options;
  const { dispatcher, http: entry } = serversOf(options);
  const server = net.createServer((socket) => {
    trackConnection(server, socket);
    serveSniffed(socket, dispatcher, entry, { peer: undefined, remote: `${socket.remoteAddress}:${socket.remotePort}` });
  });
  server.on('close', () => entry.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new AlreadyRunning(
            'Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.',
          ),
        );
      } else {
        const message = `[inet_http_server] port=${config.port}: ${err.message}${needsRootHint(err.code, { port: config.portNumber })}`;
        reject(Object.assign(new Error(message), { code: err.code, errno: err.errno }));
      }
    });
    const host = config.host === '' || config.host === '*' ? undefined : config.host;
    if (options.adoptFd !== undefined) server.listen({ fd: options.adoptFd, backlog: 511 }, () => resolve());
    else server.listen({ host, port: config.portNumber, backlog: 511 }, () => resolve());
  });
  let acceptFailing = false;
  server.on('error', (err: NodeJS.ErrnoException) => {
    // accept() failing (EMFILE) must not take the daemon down.
    if (acceptFailing) return;
    acceptFailing = true;
    logger.log('error', `inet_http_server: ${err.message}`);
    setTimeout(() => (acceptFailing = false), 10_000).unref();
  });
  return server;
}
