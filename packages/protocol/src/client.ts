/**
 * A typed client for the control socket: `call('supervisor.startProcess', {name})` is typed
 * from the method table; faults come back as RPCFault with supervisor's code.
 */
import net from 'node:net';
import { JSONRPCClient, type JSONRPCResponse, JSONRPCErrorException } from 'json-rpc-2.0';
import { LineDecoder, MAX_RESPONSE_FRAME, encodeFrame } from './framing.js';
import { RPCFault } from './faults.js';
import type { MethodName, ParamsOf, ResultOf } from './methods.js';
import type { NotificationName, Notifications } from './notifications.js';

export interface Credentials {
  username: string;
  password: string;
}

type NotificationHandler<N extends NotificationName> = (params: Notifications[N]) => void;

export class ControlClient {
  private readonly rpc: JSONRPCClient;
  private readonly handlers = new Map<string, (params: never) => void>();
  private closed = false;
  private closeListeners: Array<() => void> = [];

  private constructor(private readonly socket: net.Socket, private readonly credentials?: Credentials) {
    this.rpc = new JSONRPCClient((request) => {
      if (this.closed) throw new Error('connection closed');
      socket.write(encodeFrame(request));
    });
    const decoder = new LineDecoder(MAX_RESPONSE_FRAME);
    socket.on('data', (chunk: Buffer) => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      for (const line of lines) this.dispatch(line);
    });
    socket.on('close', () => {
      this.closed = true;
      this.rpc.rejectAllPendingRequests('connection closed by the daemon');
      for (const listener of this.closeListeners) listener();
    });
    socket.on('error', () => {
      /* surfaced through 'close' and pending requests */
    });
  }

  /**
   * Connects to a Unix socket path. Rejects with the socket error (ENOENT, ECONNREFUSED, EACCES …).
   * EAGAIN (the daemon's accept queue is full: a burst of clients) is retried for up to 5 s, as
   * a blocking connect() (supervisorctl's) would wait.
   */
  static async connect(path: string, credentials?: Credentials): Promise<ControlClient> {
    const deadline = Date.now() + 5000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        return new ControlClient(await connectOnce(path), credentials);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() + delay > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private dispatch(line: string): void {
    let message: { id?: unknown; method?: string; params?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      const handler = this.handlers.get(message.method);
      if (handler) handler(message.params as never);
      return;
    }
    this.rpc.receive(message as JSONRPCResponse);
  }

  async call<M extends MethodName>(method: M, ...args: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]): Promise<ResultOf<M>> {
    const params: Record<string, unknown> = { ...(args[0] ?? {}) };
    if (this.credentials) params['_auth'] = this.credentials;
    try {
      return (await this.rpc.request(method, params)) as ResultOf<M>;
    } catch (err) {
      if (err instanceof JSONRPCErrorException) throw new RPCFault(err.code, stripFaultName(err.message));
      throw err;
    }
  }

  onNotification<N extends NotificationName>(name: N, handler: NotificationHandler<N>): void {
    this.handlers.set(name, handler as (params: never) => void);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.destroy();
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
