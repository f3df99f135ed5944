/**
 * supervisor's HTTP side: POST /RPC2 (XML-RPC), GET /logtail/… and /mainlogtail, behind HTTP
 * Basic auth when the server section has a username. Connections come from the control socket
 * (after its first bytes looked like HTTP) or from [inet_http_server]; node's HTTP parser does
 * HTTP/1.0 and 1.1, keep-alive and pipelining. Every call goes through the server section's
 * call pipeline (calls/pipeline.ts), as JSON-RPC's do, so credentials, SHUTDOWN_STATE, parameter
 * checks and the audit trail are the same. This module is loaded on the first HTTP connection only.
 * GET /metrics (behind the credentials) and the probes /healthz, /readyz (without them) are
 * metrics/http.ts. GET /events is the web page's live feed (web/live.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type net from 'node:net';
import { RPCFault, pyRepr, type NotificationName, type Notifications } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { CallPipeline } from '../calls/pipeline.js';
import type { Logger } from '../logger.js';
import { authenticate, type AuthConfig } from './basic-auth.js';
import { XmlRpcParseError, encodeFault, encodeResponse, parseMethodCall } from './codec.js';
import { logtailTarget, serveLogtail } from './logtail.js';
import { callMethod } from './method-map.js';
import { isWebPath, serveWeb } from '../web/index.js';
import { errorBody, REASONS } from '../web/error-page.js';
import { serveEvents } from '../web/live.js';
import { isProbePath, serveMetrics, serveProbe } from '../metrics/http.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import { PythonError } from './python-args.js';

/** Largest request body read (XML-RPC calls are small; sendProcessStdin is the big one). */
export const MAX_BODY = 4 * 1024 * 1024;

export interface XmlRpcHttpOptions {
  pipeline: CallPipeline;
  auth: AuthConfig;
  logger: Logger;
  /** /metrics and the probes (absent: those paths are 404). */
  metrics?: MetricsRecorder;
}

export interface XmlRpcHttpServer {
  /** Serve HTTP on a connected socket (its first bytes may have been unshifted back). */
  serve(socket: net.Socket, data?: Record<string, unknown>): void;
  close(): void;
}

/**
 * Reads and discards the rest of a request's body: answering (and closing) before it is all
 * in would make a client that is still sending it fail with EPIPE instead of reading the answer.
 */
function drain(req: IncomingMessage): Promise<void> {
  req.resume();
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

function sendError(res: ServerResponse, code: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(code);
  res.writeHead(code, REASONS[code] ?? 'Error', { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** What the handlers see of an HTTP caller: notifications go to whatever the request set up. */
interface HttpConnection extends Connection {
  logSink: ((data: string) => void) | null;
  /** The web page's /events stream (web/live.ts): told of each pushed event. */
  eventSink: (() => void) | null;
}

let nextId = 1_000_000_000;

function connectionFor(socket: net.Socket, data: Record<string, unknown>): HttpConnection {
  const closers: Array<() => void> = [];
  let closed = false;
  const connection: HttpConnection = {
    id: nextId++,
    socket,
    data,
    logSink: null,
    eventSink: null,
    get closed() {
      return closed;
    },
    notify<N extends NotificationName>(name: N, params: Notifications[N]): boolean {
      if (closed || socket.destroyed) return false;
      if (name === 'tsupervisor.log' && connection.logSink) {
        connection.logSink((params as Notifications['tsupervisor.log']).data);
        return !socket.destroyed;
      }
      if (name === 'tsupervisor.event' && connection.eventSink) {
        connection.eventSink();
        return !socket.destroyed;
      }
      return false;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    // HTTP has no notice to give: the exec cuts it (servers/retire.ts)
    retire: () => Promise.resolve(),
  };
  socket.once('close', () => {
    closed = true;
    for (const fn of closers.splice(0)) {
      try {
        fn();
      } catch {
        /* one failing cleanup must not keep the others from running */
      }
    }
  });
  return connection;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function clip(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

export function createXmlRpcHttpServer(options: XmlRpcHttpOptions): XmlRpcHttpServer {
  const { pipeline, logger } = options;
  const connections = new WeakMap<net.Socket, HttpConnection>();
  const server = http.createServer({ keepAliveTimeout: 30_000, headersTimeout: 30_000, requestTimeout: 60_000 });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end(`HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(errorBody(400))}\r\n\r\n${errorBody(400)}`);
    else socket.destroy();
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err: unknown) => {
      logger.log('critical', `Handling HTTP request ${req.method} ${clip(req.url ?? '')} raised an unexpected exception: ${(err as Error)?.stack ?? String(err)}`);
      sendError(res, 500);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const connection = connections.get(req.socket);
    if (!connection) throw new Error('HTTP request on an unknown connection');
    const path = (req.url ?? '/').replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0]!;
    // orchestrators' probes answer without credentials (metrics/http.ts says what they reveal)
    if (options.metrics && isProbePath(path)) {
      await drain(req);
      serveProbe(path, req, res, options.metrics);
      return;
    }
    // supervisor's auth handler wraps every handler: a path it does not serve is 401 too.
    const auth = authenticate(options.auth, req.headers);
    if (!auth.ok) {
      await drain(req);
      sendError(res, auth.status, auth.status === 401 ? { 'WWW-Authenticate': 'Basic realm="default"', Connection: 'close' } : {});
      return;
    }
    if (options.metrics && path === '/metrics') {
      await drain(req);
      await serveMetrics(req, res, options.metrics);
      return;
    }
    const invoke = pipeline.invoker({ connection, credentials: auth.credentials });
    if (path === '/events') {
      await drain(req);
      await serveEvents(res, { invoke, onEvent: (fn) => (connection.eventSink = fn) });
      return;
    }
    if (isWebPath(path)) {
      await drain(req);
      if (!(await serveWeb(path, req, res, invoke))) sendError(res, 500);
      return;
    }
    const known = path.startsWith('/RPC2') || path.startsWith('/logtail') || path.startsWith('/mainlogtail');
    if (!known) {
      await drain(req);
      sendError(res, 404);
      return;
    }
    if (path.startsWith('/RPC2')) {
      if (req.method !== 'POST') {
        await drain(req);
        sendError(res, 400);
        return;
      }
      const body = await readBody(req);
      if (body === null) {
        logger.log('error', `XML-RPC request refused: body larger than ${MAX_BODY} bytes`);
        sendError(res, 413, { Connection: 'close' });
        return;
      }
      let call;
      try {
        call = parseMethodCall(body);
      } catch (err) {
        if (!(err instanceof XmlRpcParseError)) throw err;
        logger.log('error', `XML-RPC request data ${clip(body)} is invalid: ${err.message}`);
        sendError(res, 400);
        return;
      }
      let xml: string;
      try {
        logger.log('trace', `XML-RPC method called: ${call.method}()`);
        xml = encodeResponse(await callMethod(call.method, call.params, invoke));
      } catch (err) {
        if (err instanceof PythonError) {
          // what supervisor's method raises on an argument of another type: 500, as supervisord
          logger.log('critical', `Handling XML-RPC request with data ${pyRepr(body)} raised an unexpected exception: ${err.pyType}: ${err.message}`);
          sendError(res, 500);
          return;
        }
        if (!(err instanceof RPCFault)) throw err;
        logger.log('trace', `XML-RPC method ${call.method}() returned fault: [${err.code}] ${err.message}`);
        xml = encodeFault(err.code, err.message);
      }
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
      return;
    }
    await drain(req);
    if (req.method !== 'GET') {
      sendError(res, 400);
      return;
    }
    const target = logtailTarget(path);
    const feed = { invoke, onLog: (fn: (data: string) => void) => (connection.logSink = fn) };
    if (!target || !(await serveLogtail(target, res, feed))) {
      connection.logSink = null;
      sendError(res, 404);
    }
  }

  return {
    serve(socket, data = {}) {
      connections.set(socket, connectionFor(socket, data));
      server.emit('connection', socket);
    },
    close() {
      server.close();
      server.closeAllConnections?.();
    },
  };
}
