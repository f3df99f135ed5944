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
import { RPCFault } from './faults.js';
import type { MethodName, ParamsOf, ResultOf } from './methods.js';
import type { NotificationName, Notifications } from './notifications.js';

/** The server accepted the connection but never answered (e.g. supervisord's XML-RPC socket). */
export class NoAnswer extends Error {
  constructor(readonly seconds: number) {
    super(`no answer in ${seconds} s`);
  }
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
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (params: never) => void>();
  private readonly closeListeners: Array<() => void> = [];
  private closed = false;
  private silence: NodeJS.Timeout | null = null;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly credentials?: Credentials,
  ) {
    const decoder = new LineDecoder(MAX_RESPONSE_FRAME);
    socket.on('data', (chunk: Buffer) => {
      this.heard();
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
      this.closed = true;
      this.heard();
      for (const p of this.pending.values()) p.reject(this.failure ?? new Error('connection closed by the daemon'));
      this.pending.clear();
      for (const listener of this.closeListeners) listener();
    });
  }

  /** Rejects with the socket error (ENOENT, ECONNREFUSED, EACCES …); EAGAIN is retried for 5 s. */
  static async connect(path: string, credentials?: Credentials): Promise<ControlClient> {
    const deadline = Date.now() + 5000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        const client = new ControlClient(await connectOnce(path), credentials);
        client.probe();
        return client;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() + delay > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  call<M extends MethodName>(method: M, ...args: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]): Promise<ResultOf<M>> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const params: Record<string, unknown> = { ...(args[0] ?? {}) };
    if (this.credentials) params['_auth'] = this.credentials;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(encodeFrame({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /**
   * A server that accepts and then says nothing (supervisord's own socket, found by the config
   * search on a machine that has both) would hang the ctl: a getAPIVersion sent at once must be
   * answered within ANSWER_TIMEOUT_MS, whatever the first real call is waiting for.
   */
  private probe(): void {
    const id = this.nextId++;
    this.pending.set(id, { resolve: () => {}, reject: () => {} });
    this.socket.write(encodeFrame({ jsonrpc: '2.0', id, method: 'supervisor.getAPIVersion', params: this.credentials ? { _auth: this.credentials } : {} }));
    this.silence = setTimeout(() => {
      this.failure = new NoAnswer(ANSWER_TIMEOUT_MS / 1000);
      this.socket.destroy();
    }, ANSWER_TIMEOUT_MS);
    this.silence.unref();
  }

  private heard(): void {
    if (this.silence) clearTimeout(this.silence);
    this.silence = null;
  }

  onNotification<N extends NotificationName>(name: N, handler: (params: Notifications[N]) => void): void {
    this.handlers.set(name, handler as (params: never) => void);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.heard();
    this.closed = true;
    this.socket.destroy();
  }

  private dispatch(line: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      this.handlers.get(message.method)?.(message.params as never);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    if (message.error) {
      const code = typeof message.error.code === 'number' ? message.error.code : -32603;
      pending.reject(new RPCFault(code, stripFaultName(String(message.error.message ?? ''))));
    } else {
      pending.resolve(message.result);
    }
  }
}

function connectOnce(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** `BAD_NAME: foo` → `foo` (RPCFault rebuilds the prefix from the code). */
function stripFaultName(message: string): string {
  const m = /^[A-Z_]+: ?([\s\S]*)$/.exec(message);
  return m ? m[1] : message === message.toUpperCase() ? '' : message;
}
