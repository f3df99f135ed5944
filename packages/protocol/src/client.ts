/**
 * A typed client for the control socket: `call('supervisor.startProcess', {name})` is typed
 * from the one method table; credentials travel as `_auth`; faults come back as RPCFault with
 * supervisor's codes; notifications (`tsupervisor.log`, `tsupervisor.event`) go to handlers.
 *
 * Hand-written rather than built on json-rpc-2.0 (which the daemon's server uses): the client
 * runs in every tsupervisorctl invocation, and loading that package alone cost ~30 ms of CPU
 * per run (hyperfine: the whole of `status` was ~105 ms, node itself ~47 ms).
 */
import net from 'node:net';
import { LineDecoder, MAX_RESPONSE_FRAME, encodeFrame } from './framing.js';
import { faultFromError } from './faults.js';
import { ErrorCodes, TsvError } from './errors.js';
import type { MethodName, ParamsOf, ResultOf } from './methods.js';
import type { NotificationName, Notifications } from './notifications.js';

/**
 * The server accepted the connection but said nothing in time: a daemon too busy to answer (an
 * HTTP server such as supervisord's answers the probe at once, see SpeaksHttp).
 */
export class NoAnswer extends Error {
  constructor(readonly seconds: number) {
    super(`no answer in ${seconds} s`);
  }
}

/** The server answered with something that is not JSON-RPC (supervisord's HTTP, for one). */
export class NotOurProtocol extends Error {
  constructor(readonly firstLine: string) {
    super(`not a JSON-RPC answer: ${firstLine}`);
  }
}

/**
 * The server closed the connection after the probe without a byte, or answered it with an HTTP
 * status line: it speaks HTTP only (supervisord 4.2.5's medusa drops a request line it cannot
 * parse). The caller speaks XML-RPC to it instead.
 */
export class SpeaksHttp extends Error {
  constructor() {
    super('the server speaks HTTP (XML-RPC), not JSON-RPC');
  }
}

/** What the ctl's commands need of a client, whichever protocol carries the calls. */
export interface RpcClient {
  call<M extends MethodName>(method: M, ...args: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]): Promise<ResultOf<M>>;
  onNotification<N extends NotificationName>(name: N, handler: (params: Notifications[N]) => void): void;
  onClose(listener: () => void): void;
  close(): void;
  /** Stop and resume reading the server's notifications (a slow `tail -f` reader), where the transport can. */
  pause?(): void;
  resume?(): void;
  /**
   * supervisor.getAPIVersion's answer on this connection, where the transport asked it already
   * (the probe that opened it): an upcheck then costs no second round trip.
   */
  probedApiVersion?(): Promise<string>;
}

/** How long a new connection may stay silent after its first request (env: for tests). */
const ANSWER_TIMEOUT_MS = Number(process.env.TSUPERVISORCTL_ANSWER_TIMEOUT_MS) || 10_000;

export interface Credentials {
  username: string;
  password: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  /** The request as sent, to send again after the daemon closed an idle connection. */
  frame?: string;
}

/**
 * The daemon closes a connection that has been idle for minutes, after a `tsupervisor.closing`
 * notice (an interactive ctl sitting at its prompt). The client then reconnects by itself on
 * its next call, and sends again any call that crossed the notice (the daemon never read it):
 * whoever holds the client never sees that close. Any other close is final.
 */
/** A Unix socket path, or the TCP address of an [inet_http_server] (which serves JSON-RPC too). */
export type ConnectTarget = string | { host: string; port: number };

export class ControlClient implements RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: never) => void>();
  private readonly closeListeners: Array<() => void> = [];
  private closed = false;
  /** Close listeners have run. */
  private ended = false;
  private silence: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private socket!: net.Socket;
  /** The daemon said it closes this socket for idleness; calls wait for a new one. */
  private retired = false;
  private reopening: Promise<void> | null = null;
  /** Settles on the probe's first answer: JSON-RPC (resolves) or HTTP (SpeaksHttp). */
  private decided: { resolve(): void; reject(err: Error): void } | null = null;
  /** What the probe's getAPIVersion answered (its fault, or the connection's end): set by probe(), which connect() calls. */
  private probed!: Promise<string>;

  private constructor(
    socket: net.Socket,
    private readonly path: ConnectTarget,
    private readonly credentials: Credentials | undefined,
    /** How long the probe may wait for a first answer. */
    private readonly answerTimeoutMs: number,
  ) {
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.retired = false;
    const decoder = new LineDecoder(MAX_RESPONSE_FRAME);
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.heard();
      if (this.decided) {
        const decided = this.decided;
        this.decided = null;
        if (chunk.subarray(0, 5).toString('latin1') === 'HTTP/') {
          socket.destroy();
          decided.reject(new SpeaksHttp());
          return;
        }
        decided.resolve();
      }
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      for (const line of lines) this.dispatch(line);
    });
    socket.on('error', () => {
      /* surfaced through 'close' */
    });
    socket.on('close', () => {
      if (socket !== this.socket || this.ended) return;
      this.heard();
      if (this.retired && !this.closed) {
        // Closed for idleness: reconnect now if calls wait, else on the next call.
        if ([...this.pending.values()].some((p) => p.frame !== undefined)) void this.reopen();
        return;
      }
      if (this.decided && !this.failure) this.failure = new SpeaksHttp();
      this.fail(this.failure ?? closedError('connection closed by the daemon'));
    });
  }

  private fail(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.closed = true;
    this.decided?.reject(err);
    this.decided = null;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const listener of this.closeListeners) listener();
  }

  /** A new socket for this client after an idle close; waiting calls are sent on it. */
  private reopen(): Promise<void> {
    if (!this.reopening) {
      this.reopening = openSocket(this.path).then(
        (socket) => {
          this.reopening = null;
          if (this.closed) {
            socket.destroy();
            this.fail(closedError('connection closed'));
            return;
          }
          for (const [id, p] of this.pending) if (p.frame === undefined) this.pending.delete(id);
          this.attach(socket);
          this.probe();
          // the server is tsupervisord (it sent the idle notice): the waiting calls go at once
          for (const p of this.pending.values()) if (p.frame !== undefined) socket.write(p.frame);
        },
        (err: Error) => {
          this.reopening = null;
          this.fail(err);
        },
      );
    }
    return this.reopening;
  }

  /**
   * Rejects with the socket error (ENOENT, ECONNREFUSED, EACCES …; EAGAIN is retried for 5 s),
   * NoAnswer when the server stays silent, or SpeaksHttp when it is an HTTP-only server: the
   * probe's first answer decides, once per connection (one round trip on a local socket).
   * `patienceMs`: the caller's own limit (a fleet's --timeout); a silent server is given up
   * only after the longer of it and ANSWER_TIMEOUT_MS.
   */
  static async connect(path: ConnectTarget, credentials?: Credentials, patienceMs = 0): Promise<ControlClient> {
    const client = new ControlClient(await openSocket(path), path, credentials, Math.max(ANSWER_TIMEOUT_MS, patienceMs));
    const decided = new Promise<void>((resolve, reject) => (client.decided = { resolve, reject }));
    client.probe();
    await decided;
    return client;
  }

  call<M extends MethodName>(method: M, ...args: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]): Promise<ResultOf<M>> {
    if (this.closed) return Promise.reject(closedError('connection closed'));
    const params: Record<string, unknown> = { ...(args[0] ?? {}) };
    if (this.credentials) params['_auth'] = this.credentials;
    const id = this.nextId++;
    const frame = encodeFrame({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, frame });
      if (this.reopening) return;
      if (this.retired) {
        // The notice came; the old socket may still be closing. Sent once the new one is open.
        if (this.socket.destroyed) void this.reopen();
        return;
      }
      this.socket.write(frame);
    });
  }

  /**
   * A server that accepts and then says nothing would hang the ctl: a getAPIVersion sent at
   * once must be answered within answerTimeoutMs, whatever the first real call is waiting for.
   * The frame has one space (after its first comma) and ends with a blank line, both of which
   * the daemon skips: an HTTP server sees a whole request, `METHOD URI`, with a method it does
   * not know, and answers 400 (or 401) at once: supervisord's medusa does, without a trace in
   * its log (a request line without a space makes it log a Python exception and close).
   */
  private probe(): void {
    const id = this.nextId++;
    this.probed = new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    this.probed.catch(() => {}); // asked for or not
    const frame = encodeFrame({ jsonrpc: '2.0', id, method: 'supervisor.getAPIVersion', params: this.credentials ? { _auth: this.credentials } : {} });
    this.socket.write(`${frame.replace(',', ', ').slice(0, -1)}\r\n\r\n`);
    this.silence = setTimeout(() => {
      this.failure = new NoAnswer(this.answerTimeoutMs / 1000);
      this.socket.destroy();
    }, this.answerTimeoutMs);
    this.silence.unref();
  }

  private heard(): void {
    if (this.silence) clearTimeout(this.silence);
    this.silence = null;
  }

  probedApiVersion(): Promise<string> {
    return this.probed;
  }

  onNotification<N extends NotificationName>(name: N, handler: (params: Notifications[N]) => void): void {
    this.handlers.set(name, handler as (params: never) => void);
  }

  /** Stops reading from the daemon until resume() (a follower whose output is congested). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.heard();
    this.closed = true;
    // A socket the daemon already closed for idleness gets no second 'close'.
    if (this.socket.destroyed && !this.reopening) this.fail(closedError('connection closed'));
    else this.socket.destroy();
  }

  private dispatch(line: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
    try {
      message = JSON.parse(line);
    } catch {
      this.failure ??= new NotOurProtocol(line.trim().slice(0, 80));
      this.socket.destroy();
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      if (message.method === 'tsupervisor.closing') {
        this.retired = true;
        // a follower wants to know why (reexec: reconnect and resume)
        this.handlers.get(message.method)?.(message.params as never);
        return;
      }
      this.handlers.get(message.method)?.(message.params as never);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    if (message.error) {
      const code = typeof message.error.code === 'number' ? message.error.code : -32603;
      pending.reject(faultFromError(code, String(message.error.message ?? ''), message.error.data));
    } else {
      pending.resolve(message.result);
    }
  }
}

async function openSocket(path: ConnectTarget): Promise<net.Socket> {
  const deadline = Date.now() + 5000;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await connectOnce(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function connectOnce(path: ConnectTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(typeof path === 'string' ? { path } : path);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The connection ended before an answer: told apart by its code (CONNECTION_CLOSED). */
function closedError(message: string): TsvError {
  return new TsvError(ErrorCodes.CONNECTION_CLOSED, message);
}
