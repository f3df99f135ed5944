/**
 * Serves the method table on one stream connection: framing, JSON parsing, dispatch to a
 * complete `Handlers` object, faults → JSON-RPC errors. Malformed input gets a JSON-RPC error
 * and the connection keeps serving; an oversized frame gets an error and the connection closes;
 * a reader that stops reading is dropped once its unsent output passes `maxPendingOutput`.
 *
 * Timeouts (both off unless given): a connection with nothing to do — no request being read,
 * queued or handled, and no subscription (a handler that registered `onClose`: `tail -f`,
 * events) — is closed after `idleTimeoutMs`, after a `tsupervisor.closing` notice; a request
 * frame must arrive whole within `frameTimeoutMs` of its first byte (slowloris), else the
 * connection gets an error and is closed.
 */
import type net from 'node:net';
import {
  JSONRPCErrorException,
  JSONRPCServer,
  type JSONRPCRequest,
  type JSONRPCResponse,
  isJSONRPCRequest,
} from 'json-rpc-2.0';
import { FrameTooLarge, LineDecoder, MAX_REQUEST_FRAME, encodeFrame } from './framing.js';
import { JsonRpcErrors, RPCFault, faultData } from './faults.js';
import { METHOD_NAMES, type Handlers, type MethodName } from './methods.js';
import type { NotificationName, Notifications } from './notifications.js';

/** What a handler knows of its caller. */
export interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  /** Push a notification; false (and the connection is dropped) if the peer stopped reading. */
  notify<N extends NotificationName>(name: N, params: Notifications[N]): boolean;
  /** Run when the connection closes (unsubscribe followers …). */
  onClose(fn: () => void): void;
  readonly closed: boolean;
  /**
   * Stop reading requests: the ones being handled are answered (for at most `waitMs`), then a
   * `tsupervisor.closing` notice with `reason` goes out and the connection ends. Resolves once
   * the notice is written out (or the peer is gone). Requests read but not handled are dropped:
   * the client sends them again elsewhere (the notice says none of them was handled).
   */
  retire(reason: 'reexec', waitMs: number): Promise<void>;
  /** Free slot for the daemon (peer credentials, auth state …). */
  readonly data: Record<string, unknown>;
}

export interface ServeOptions {
  maxFrame?: number;
  /** Bytes of unsent output after which a connection is dropped (default 16 MiB). */
  maxPendingOutput?: number;
  /** Requests of one connection handled at once; further input waits (default 8). */
  maxInFlight?: number;
  /** Unsent output above which the connection's input waits for 'drain' (default 64 KiB). */
  outputHighWater?: number;
  /**
   * Called first for every request, known method or not (authentication): may throw an
   * RPCFault, which becomes the answer.
   */
  guard?: (params: unknown, connection: Connection, method: string) => void;
  /** Called before each dispatch: may throw an RPCFault or log. Params are mutable. */
  before?: (method: MethodName, params: Record<string, unknown>, connection: Connection) => void;
  /** Close a connection that has had nothing to do for this long (0 or absent: never). */
  idleTimeoutMs?: number;
  /** When the connection was opened, if before this call (Date.now() ms): idle since then. */
  openedAt?: number;
  /** Close a connection whose request frame is not whole this long after its first byte. */
  frameTimeoutMs?: number;
}

/**
 * A result already serialized: a handler returns it and the connection writes its bytes as the
 * `result` as they are, so that one large answer (getAllProcessInfo of 1,000 processes) can be
 * shared by many connections instead of being built and copied for each.
 */
export class EncodedResult {
  constructor(readonly json: Buffer) {}
}

let nextId = 1;

/** One call of a known method, params an object (may throw an RPCFault: the answer). */
export type Call = (method: MethodName, params: Record<string, unknown>, connection: Connection) => unknown;

/**
 * A JSON-RPC dispatcher of the table's methods onto one `call` function: params that are not an
 * object are INVALID_PARAMS, an unknown method METHOD_NOT_FOUND (after `guard`), a fault its
 * JSON-RPC error, any other exception INTERNAL_ERROR.
 */
export function createCallDispatcher(call: Call, options: Pick<ServeOptions, 'guard'> = {}) {
  // The library logs every failed call with console.warn: faults are answers, not incidents.
  const server = new JSONRPCServer<Connection>({ errorListener: () => undefined });
  const guard = options.guard;
  if (guard) {
    server.applyMiddleware(async (next, request, connection) => {
      try {
        guard(request.params, connection, request.method);
      } catch (err) {
        if (err instanceof RPCFault) throw faultException(err);
        throw err;
      }
      return next(request, connection);
    });
  }
  for (const method of METHOD_NAMES) {
    server.addMethod(method, async (params: unknown, connection: Connection) => {
      if (params === undefined || params === null) params = {};
      if (typeof params !== 'object' || Array.isArray(params)) {
        throw new JSONRPCErrorException('params must be an object of named parameters', JsonRpcErrors.INVALID_PARAMS);
      }
      try {
        return await call(method, params as Record<string, unknown>, connection);
      } catch (err) {
        if (err instanceof RPCFault) throw faultException(err);
        if (err instanceof JSONRPCErrorException) throw err;
        throw new JSONRPCErrorException(`internal error: ${(err as Error)?.message ?? String(err)}`, JsonRpcErrors.INTERNAL_ERROR);
      }
    });
  }
  return server;
}

/** A dispatcher onto a complete handler object, `before` each call, `_auth` taken out of params. */
export function createDispatcher(handlers: Handlers<Connection>, options: ServeOptions = {}) {
  return createCallDispatcher(async (method, params, connection) => {
    options.before?.(method, params, connection);
    delete params['_auth'];
    return (handlers[method] as (params: unknown, c: Connection) => unknown)(params, connection);
  }, options);
}

export function serveConnection(socket: net.Socket, server: JSONRPCServer<Connection>, options: ServeOptions = {}): Connection {
  const maxPending = options.maxPendingOutput ?? 16 * 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 8;
  const highWater = options.outputHighWater ?? 64 * 1024;
  const idleMs = options.idleTimeoutMs ?? 0;
  const frameMs = options.frameTimeoutMs ?? 0;
  const closers: Array<() => void> = [];
  let closed = false;
  const send = (message: unknown): boolean => {
    if (closed || socket.destroyed) return false;
    const result = (message as { result?: unknown }).result;
    if (result instanceof EncodedResult) {
      socket.cork();
      socket.write(`{"jsonrpc":"2.0","id":${JSON.stringify((message as { id: unknown }).id)},"result":`);
      socket.write(result.json);
      socket.write('}\n');
      socket.uncork();
    } else socket.write(encodeFrame(message));
    if (socket.writableLength > maxPending) {
      socket.destroy();
      return false;
    }
    return true;
  };
  const connection: Connection = {
    id: nextId++,
    socket,
    data: {},
    get closed() {
      return closed;
    },
    notify(name, params) {
      return send({ jsonrpc: '2.0', method: name, params });
    },
    onClose(fn) {
      if (closed) fn();
      else {
        closers.push(fn);
        watch();
      }
    },
    retire(reason, waitMs) {
      if (closed || retiring || tooLarge) return Promise.resolve();
      draining = true;
      socket.pause();
      return new Promise<void>((resolve) => {
        const go = () => {
          clearTimeout(late);
          afterFlight = null;
          if (closed || retiring) return resolve();
          send({ jsonrpc: '2.0', method: 'tsupervisor.closing', params: { reason } });
          retireNow();
          if (socket.writableLength === 0 || socket.destroyed) return resolve();
          socket.once('drain', resolve);
          socket.once('close', resolve);
        };
        const late = setTimeout(go, waitMs);
        if (inFlight === 0) go();
        else afterFlight = go;
      });
    },
  };
  /** Retiring: no new request starts; run when the last one in flight is answered. */
  let draining = false;
  let afterFlight: (() => void) | null = null;

  /*
   * Input is taken in step with output: at most maxInFlight requests run at once and reading
   * stops while the peer leaves more than highWater bytes of answers unread, so a client that
   * pipelines requests without reading their answers cannot make the daemon build them all.
   */
  const decoder = new LineDecoder(options.maxFrame ?? MAX_REQUEST_FRAME);
  const queue: string[] = [];
  let inFlight = 0;
  const blocked = () => inFlight >= maxInFlight || socket.writableLength > highWater;
  const pump = () => {
    while (queue.length > 0 && !closed && !retiring && !draining && !blocked()) {
      inFlight++;
      void handleLine(queue.shift()!).finally(() => {
        inFlight--;
        lastActive = Date.now();
        if (inFlight === 0 && afterFlight) afterFlight();
        pump();
      });
    }
    if (closed || socket.destroyed || retiring || draining) return;
    if (queue.length > 0 || blocked()) socket.pause();
    else if (socket.isPaused() && !tooLarge) {
      socket.resume();
      // The rest of a frame may have waited in the kernel while input was paused.
      frameStart = Date.now();
    }
    watch();
  };

  /*
   * One timer per connection, re-armed on every change: the frame deadline while part of a
   * frame is being read, else the idle deadline while the connection has nothing to do.
   */
  let lastActive = options.openedAt ?? Date.now();
  let frameStart = 0;
  let timer: NodeJS.Timeout | null = null;
  let retiring = false;
  const idle = () => inFlight === 0 && closers.length === 0 && (queue.length === 0 || socket.writableLength > highWater);
  function watch(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed || retiring || tooLarge) return;
    let due: number;
    if (frameMs > 0 && decoder.partial && !socket.isPaused()) due = frameStart + frameMs;
    else if (idleMs > 0 && idle()) due = lastActive + idleMs;
    else return;
    timer = setTimeout(expire, Math.max(0, due - Date.now()));
    timer.unref();
  }
  function expire(): void {
    timer = null;
    if (closed || retiring || tooLarge) return;
    const now = Date.now();
    if (frameMs > 0 && decoder.partial && !socket.isPaused() && now >= frameStart + frameMs) {
      send(errorResponse(null, JsonRpcErrors.INVALID_REQUEST, `request frame not complete within ${frameMs / 1000} s`));
    } else if (idleMs > 0 && idle() && now >= lastActive + idleMs) {
      send({ jsonrpc: '2.0', method: 'tsupervisor.closing', params: { reason: 'idle', seconds: idleMs / 1000 } });
    } else {
      watch();
      return;
    }
    retireNow();
  }
  function retireNow(): void {
    // Nothing more is read or handled; the peer's bytes are discarded until it closes (at most
    // 5 s) so that closing does not reset the connection before the peer reads the last words.
    retiring = true;
    queue.length = 0;
    socket.resume();
    const kill = setTimeout(() => socket.destroy(), 5000);
    kill.unref();
    socket.once('close', () => clearTimeout(kill));
    socket.end();
  }

  let tooLarge = false;
  socket.on('data', (chunk: Buffer) => {
    if (tooLarge || retiring) return;
    const wasPartial = decoder.partial;
    let lines: string[];
    try {
      lines = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameTooLarge)) throw err;
      tooLarge = true;
      send(errorResponse(null, JsonRpcErrors.FRAME_TOO_LARGE, err.message));
      // Half-close after the answer and discard what the peer still sends until it ends, at
      // most 5 s: closing with its bytes unread would reset the connection, and a peer still
      // writing would lose the answer already waiting in its receive queue.
      if (socket.isPaused()) socket.resume();
      const timer = setTimeout(() => socket.destroy(), 5000);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      socket.end();
      return;
    }
    // A new frame starts with this chunk, or after the last newline in it.
    if (lines.length > 0 || !wasPartial) frameStart = Date.now();
    for (const line of lines) queue.push(line);
    pump();
  });
  socket.on('drain', () => {
    lastActive = Date.now();
    pump();
  });
  const finish = () => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    if (timer) clearTimeout(timer);
    timer = null;
    for (const fn of closers.splice(0)) {
      try {
        fn();
      } catch {
        /* one failing cleanup must not keep the others from running */
      }
    }
  };
  socket.on('close', finish);
  socket.on('error', () => socket.destroy());
  watch();

  /** Answers one frame; never rejects (a rejection here would be unhandled). */
  async function handleLine(line: string): Promise<void> {
    try {
      if (line.trim() === '') return;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        send(errorResponse(null, JsonRpcErrors.PARSE_ERROR, 'parse error: invalid JSON'));
        return;
      }
      if (Array.isArray(message)) {
        send(errorResponse(null, JsonRpcErrors.INVALID_REQUEST, 'batches are not supported'));
        return;
      }
      if (!isRequest(message)) {
        send(errorResponse(idOf(message), JsonRpcErrors.INVALID_REQUEST, 'invalid request: not a JSON-RPC 2.0 request'));
        return;
      }
      const response: JSONRPCResponse | null = await server.receive(message as JSONRPCRequest, connection);
      if (response) send(response);
    } catch (err) {
      send(errorResponse(null, JsonRpcErrors.INTERNAL_ERROR, `internal error: ${(err as Error)?.message ?? String(err)}`));
    }
  }

  return connection;
}

/** A JSON-RPC 2.0 request object: method a string, id (if any) a string, number or null. */
function isRequest(message: unknown): boolean {
  if (message === null || typeof message !== 'object') return false;
  const m = message as Record<string, unknown>;
  if (typeof m['method'] !== 'string') return false;
  if ('id' in m && m['id'] !== null && typeof m['id'] !== 'string' && typeof m['id'] !== 'number') return false;
  return isJSONRPCRequest(message as JSONRPCRequest);
}

function idOf(message: unknown): string | number | null {
  if (message && typeof message === 'object' && 'id' in message) {
    const id = (message as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}

/** A fault as the library's error: supervisor's text as the message, the detail apart in `data`. */
function faultException(fault: RPCFault): JSONRPCErrorException {
  return new JSONRPCErrorException(fault.message, fault.code, faultData(fault));
}

function errorResponse(id: string | number | null, code: number, message: string): JSONRPCResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
