/**
 * The control socket: the Unix socket named by `[unix_http_server] file=`, created with its
 * `chmod` and `chown`, serving JSON-RPC 2.0 (tsupervisorctl) and supervisor's HTTP side
 * (XML-RPC, logtail, web pages) told apart by a connection's first bytes; both transports call
 * the same pipeline (calls/pipeline.ts). A live daemon already answering there is an error; a
 * stale socket file left by a dead one is removed.
 *
 * The socket is bound by the native layer (listenUnix) and handed to Node by fd, so that Node
 * closing it never unlinks the path: `reexec` keeps the listening fd (a copy, servers/kept.ts)
 * while Node's own is closed, and the next image adopts it (`adoptFd`): same path, same inode,
 * and a client connecting in between waits in the backlog instead of being refused.
 */
import { chmodSync, chownSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { Handlers } from '@tsupervisor/protocol';
import { serveConnection, type Connection } from '@tsupervisor/protocol/server';
import { createCallPipeline, type CallPipeline } from '../calls/pipeline.js';
import type { UnixHttpServerConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { dupFd, getrlimit, listenUnix, peerCred } from '../native/index.js';
import { noteOpened } from './retire.js';
import { createJsonRpcDispatcher, type JsonRpcDispatcher } from '../rpc/json-rpc.js';
import { fdLimit, fdShortage, openFds } from '../process/fd-budget.js';
import { lazyHttpServer, looksLikeHttp, type HttpEntry } from '../xmlrpc/lazy.js';
import type { MetricsRecorder } from '../metrics/recorder.js';

/**
 * A connection with nothing to do is closed after IDLE_TIMEOUT_MS (5 min; the ctl reconnects
 * by itself); a request frame must be whole FRAME_TIMEOUT_MS (30 s) after its first byte. The
 * environment variables are for tests.
 */
const IDLE_TIMEOUT_MS = Number(process.env.TSUPERVISORD_IDLE_TIMEOUT_MS) || 300_000;
const FRAME_TIMEOUT_MS = Number(process.env.TSUPERVISORD_FRAME_TIMEOUT_MS) || 30_000;

export interface ControlServerOptions {
  config: UnixHttpServerConfig;
  handlers: Handlers<Connection>;
  logger: Logger;
  /** False while shutting down or restarting: most calls get SHUTDOWN_STATE. */
  accepting(): boolean;
  /** The audit trail's file (calls/audit.ts auditPath), null for none. */
  auditPath?: string | null;
  /** Counters for /metrics (calls by method and outcome); with it, /metrics and the probes are served. */
  metrics?: MetricsRecorder;
  /** reexec: the listening fd the previous image kept for this path (no bind, no stale check). */
  adoptFd?: number;
}

/** Resolves true if something answers on the socket path. */
function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class AlreadyRunning extends Error {}

/** Servers whose listening socket was handed to the next image (reexec): their path stays. */
const handedOver = new WeakSet<net.Server>();

/**
 * reexec: a copy of the server's listening fd (close-on-exec, to be cleared by the caller), then
 * the server is closed: the socket goes on listening through the copy, its backlog queueing
 * whoever connects until the next image accepts again. Null if the server has no fd.
 */
export function handOverListener(server: net.Server): number | null {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  const copy = dupFd(fd);
  handedOver.add(server);
  server.close();
  return copy;
}

/**
 * Removes the socket file if it is still the one this server bound (same inode): a server closed
 * by a reload ends after the next one bound the same path, and must not remove that one's file.
 */
function unlinkIfOurs(path: string, ino: number | null): void {
  try {
    if (ino !== null && lstatSync(path).ino === ino) unlinkSync(path);
  } catch {
    /* gone */
  }
}

function inodeOf(path: string): number | null {
  try {
    return lstatSync(path).ino;
  } catch {
    return null;
  }
}

/** The open connections of each server, for stopServer. */
const connectionsOf = new WeakMap<net.Server, Set<net.Socket>>();

/** Counts `socket` among `server`'s connections until it closes. */
export function trackConnection(server: net.Server, socket: net.Socket): void {
  let sockets = connectionsOf.get(server);
  if (!sockets) connectionsOf.set(server, (sockets = new Set()));
  const set = sockets;
  set.add(socket);
  socket.once('close', () => set.delete(socket));
}

/**
 * Closes the listener (a Unix socket's path is removed; a port refuses connections from now on)
 * and ends its connections once what they were sent is out: a `reload` over this server gets
 * its answer, then the server goes, as supervisord closes its HTTP servers at a reload.
 */
export function stopServer(server: net.Server): void {
  server.close();
  for (const socket of connectionsOf.get(server) ?? []) {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

export async function startControlServer(options: ControlServerOptions): Promise<net.Server> {
  const { config, logger } = options;
  const path = config.file;
  if (options.adoptFd === undefined) await removeStale(path, logger);

  const { dispatcher, http } = serversOf(options);

  const server = net.createServer((socket) => {
    trackConnection(server, socket);
    let peer: unknown;
    try {
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
      if (typeof fd === 'number' && fd >= 0) peer = peerCred(fd);
    } catch {
      /* peer credentials are informational */
    }
    serveSniffed(socket, dispatcher, http, { peer });
  });
  // the inode of the socket file once bound (or adopted): what the close may remove
  let ino: number | null = null;
  server.on('close', () => http.close());
  // The file goes when the server is told to close, as libuv removes a path it bound itself (not
  // when the last connection has ended: a reload binds the path again before that), unless the
  // socket lives on in the next image.
  const close = server.close.bind(server);
  server.close = (callback?: (err?: Error) => void) => {
    if (!handedOver.has(server)) unlinkIfOurs(path, ino);
    return close(callback);
  };
  server.maxConnections = connectionLimit();
  // A deep accept queue (the kernel caps it at somaxconn): a burst of clients waits there
  // instead of getting EAGAIN from connect(). Owner and mode are set before listen().
  const fd = options.adoptFd ?? listenUnix(path, BACKLOG, config.chmod, config.chown?.uid ?? -1, config.chown?.gid ?? -1);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd, backlog: BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let acceptFailing = false;
  server.on('error', (err: NodeJS.ErrnoException) => {
    // accept() failing (EMFILE under a flood of connections) must not take the daemon down.
    if (acceptFailing) return;
    acceptFailing = true;
    const text = err.code === 'EMFILE' || err.code === 'ENFILE' ? fdShortage({ open: openFds(), limit: fdLimit() }) : err.message;
    logger.log('error', `control socket: ${text}`);
    setTimeout(() => (acceptFailing = false), 10_000).unref();
  });
  // an adopted socket takes the section's chown and chmod of now (a changed chmod applies)
  if (config.chown) chownSync(path, config.chown.uid, config.chown.gid);
  chmodSync(path, config.chmod);
  ino = inodeOf(path);
  return server;
}

const BACKLOG = 4096;

/** Another daemon answering at `path` is an error; a socket file nobody answers on is removed. */
async function removeStale(path: string, logger: Logger): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    stat = null;
  }
  if (stat) {
    if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket`);
    if (await isAlive(path)) {
      throw new AlreadyRunning(
        `Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.`,
      );
    }
    unlinkSync(path);
    // supervisord's words, on stderr as it writes them (not to the log).
    process.stderr.write(`Unlinking stale socket ${path}\n`);
    logger.log('debug', `removed stale socket file ${path}`);
  }
}

/**
 * Serves a new connection as JSON-RPC (tsupervisorctl) or HTTP (supervisorctl, XML-RPC clients),
 * told apart by its first bytes; a connection silent for the idle time is handed to JSON-RPC,
 * whose idle timeout (counted from the accept) ends it at once. Used by the control socket and
 * by [inet_http_server]. `data.peer` is the caller's credentials on a Unix socket.
 */
export function serveSniffed(
  socket: net.Socket,
  dispatcher: JsonRpcDispatcher,
  http: HttpEntry,
  data: { peer: unknown } & Record<string, unknown>,
): void {
  const openedAt = Date.now();
  const spoke = noteOpened(socket);
  const serveJson = () => {
    const connection = serveConnection(socket, dispatcher, { idleTimeoutMs: IDLE_TIMEOUT_MS, frameTimeoutMs: FRAME_TIMEOUT_MS, openedAt });
    spoke(connection);
    if (data.peer !== undefined) (connection.data as Record<string, unknown>)['peer'] = data.peer;
    if (data['remote'] !== undefined) (connection.data as Record<string, unknown>)['remote'] = data['remote'];
  };
  const silent = setTimeout(() => {
    socket.off('data', sniff);
    serveJson();
  }, IDLE_TIMEOUT_MS);
  silent.unref();
  socket.once('close', () => clearTimeout(silent));
  const sniff = (first: Buffer) => {
    clearTimeout(silent);
    socket.pause();
    socket.unshift(first);
    if (looksLikeHttp(first)) {
      spoke(null);
      return http(socket, data);
    }
    serveJson();
    socket.resume();
  };
  socket.once('data', sniff);
}

/**
 * One server section's pipeline and its two transports: JSON-RPC, and supervisor's HTTP side
 * (XML-RPC at /RPC2, /logtail, the web pages), loaded on first use.
 */
export function serversOf(options: Omit<ControlServerOptions, 'config'> & { config: UnixHttpServerConfig | { username: string | null; password: string | null } }): {
  pipeline: CallPipeline;
  dispatcher: JsonRpcDispatcher;
  http: HttpEntry;
} {
  const { metrics } = options;
  const pipeline = createCallPipeline({ ...options, credentials: options.config, ...(metrics ? { onCall: metrics.recordCall } : {}) });
  return {
    pipeline,
    dispatcher: createJsonRpcDispatcher(pipeline),
    http: lazyHttpServer({ pipeline, auth: options.config, logger: options.logger, ...(metrics ? { metrics } : {}) }),
  };
}

/**
 * How many control connections may be open at once: half the open-file limit, so that a flood
 * of idle clients leaves the other half for the processes' pipes and log files.
 */
function connectionLimit(): number {
  try {
    const { soft } = getrlimit('nofile');
    return Math.max(64, Math.floor(Math.min(soft, 131072) / 2));
  } catch {
    return 1024;
  }
}
