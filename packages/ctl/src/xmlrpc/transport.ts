/**
 * The ctl's calls carried over supervisord 4.2.5's XML-RPC (POST /RPC2, on its unix socket or
 * its [inet_http_server]), for a server the probe found to speak HTTP only. Same surface as the
 * JSON-RPC client (RpcClient), so every command runs unchanged: a supervisor.* call becomes a
 * positional call (params in the order of the method table's params, which is supervisor's),
 * its answer is reshaped where supervisor's differs (reloadConfig, tail*), a fault becomes an
 * RPCFault, a 401 UNAUTHORIZED (the ctl's re-login path). The tsupervisor.* extensions are done
 * as supervisorctl does them (emulate.ts); the others are UNKNOWN_METHOD. Loaded on demand only.
 */
import http from 'node:http';
import {
  Faults,
  JsonRpcErrors,
  METHODS,
  RPCFault,
  type ConnectTarget,
  type Credentials,
  type MethodName,
  type NotificationName,
  type Notifications,
  type ParamsOf,
  type ResultOf,
  type RpcClient,
} from '@tsupervisor/protocol';
import { XmlRpcDateTime, XmlRpcDouble, encodeMethodCall, parseMethodResponse, type XmlRpcValue } from '@tsupervisor/protocol/xmlrpc';
import { ConnectError } from '../render/faults.js';
import { EMULATED } from './emulate.js';

/** A plain JS value from an XML-RPC one (doubles as numbers, dates as their text). */
function plain(v: XmlRpcValue): unknown {
  if (v instanceof XmlRpcDouble) return v.value;
  if (v instanceof XmlRpcDateTime) return v.text;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** supervisor's answer → the table's, where they differ. */
const RESHAPE: Partial<Record<MethodName, (v: unknown) => unknown>> = {
  'supervisor.reloadConfig': (v) => {
    const [added, changed, removed] = (v as string[][][])[0]!;
    return { added, changed, removed };
  },
  'supervisor.tailProcessStdoutLog': tail,
  'supervisor.tailProcessStderrLog': tail,
};
function tail(v: unknown): unknown {
  const [bytes, offset, overflow] = v as [string, number, boolean];
  return { bytes, offset, overflow };
}

/** `BAD_NAME: foo` → `foo` (RPCFault rebuilds the prefix from the code). */
function detailOf(faultString: string): string {
  const m = /^[A-Z_]+: ?([\s\S]*)$/.exec(faultString);
  return m ? m[1]! : faultString === faultString.toUpperCase() ? '' : faultString;
}

export class XmlRpcClient implements RpcClient {
  private readonly agent: http.Agent;
  private readonly handlers = new Map<string, (params: never) => void>();
  private readonly closeListeners: Array<() => void> = [];
  private readonly streams = new Set<http.ClientRequest>();
  private closed = false;

  constructor(
    readonly target: ConnectTarget,
    private readonly credentials?: Credentials,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  private options(path: string, method: 'GET' | 'POST'): http.RequestOptions {
    const where = typeof this.target === 'string' ? { socketPath: this.target, host: 'localhost' } : { host: this.target.host, port: this.target.port };
    const headers: Record<string, string> = {};
    if (this.credentials) headers['Authorization'] = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    return { ...where, path, method, headers, agent: this.agent };
  }

  /** One POST /RPC2: the parsed answer, or an RPCFault (401 → UNAUTHORIZED, other status → 500's line). */
  async raw(method: string, params: readonly unknown[]): Promise<unknown> {
    if (this.closed) throw new Error('connection closed');
    const body = Buffer.from(encodeMethodCall(method, params));
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const opts = this.options('/RPC2', 'POST');
      opts.headers = { ...(opts.headers as Record<string, string>), 'Content-Type': 'text/xml', 'Content-Length': String(body.length) };
      const req = http.request(opts, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.code ? new ConnectError(err.code, err.message, typeof this.target !== 'string') : err));
      req.end(body);
    });
    if (status === 401) throw new RPCFault(Faults.UNAUTHORIZED);
    if (status !== 200) throw new RPCFault(JsonRpcErrors.INTERNAL_ERROR, `HTTP ${status}`);
    const answer = parseMethodResponse(text);
    if ('fault' in answer) throw new RPCFault(answer.fault.code, detailOf(answer.fault.message));
    return plain(answer.value);
  }

  call<M extends MethodName>(method: M, ...args: undefined extends ParamsOf<M> ? [params?: ParamsOf<M>] : [params: ParamsOf<M>]): Promise<ResultOf<M>> {
    const params = (args[0] ?? {}) as Record<string, unknown>;
    const emulated = EMULATED[method];
    if (emulated) return emulated(this, params) as Promise<ResultOf<M>>;
    if (!method.startsWith('supervisor.') && method !== 'system.listMethods') {
      return Promise.reject(new RPCFault(Faults.UNKNOWN_METHOD, `${method} (supervisord has no such method)`));
    }
    // supervisor's positional order is the table's order of params; optional ones left out trail.
    const positional: unknown[] = [];
    for (const key of Object.keys(METHODS[method].params)) {
      if (params[key] === undefined) break;
      positional.push(params[key]);
    }
    const reshape = RESHAPE[method];
    return this.raw(method, positional).then((v) => (reshape ? reshape(v) : v) as ResultOf<M>);
  }

  /**
   * GET a streaming page (/logtail/NAME/CHANNEL, /mainlogtail) as supervisorctl's tail -f does:
   * each chunk goes to `onData`; resolves with the status code once the answer starts.
   */
  stream(path: string, onData: (text: string) => void, onEnd: () => void): Promise<number> {
    return new Promise((resolve, reject) => {
      const opts = this.options(path, 'GET');
      // an agent of its own, keep-alive: to `Connection: close` medusa answers only at the end
      const agent = new http.Agent({ keepAlive: true });
      opts.agent = agent;
      const req = http.request(opts, (res) => {
        resolve(res.statusCode ?? 0);
        res.setEncoding('utf8');
        res.on('data', onData);
        res.on('end', onEnd);
        res.on('error', onEnd);
      });
      this.streams.add(req);
      req.on('close', () => {
        this.streams.delete(req);
        agent.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        onEnd();
        reject(err.code ? new ConnectError(err.code, err.message, typeof this.target !== 'string') : err);
      });
      req.end();
    });
  }

  notify<N extends NotificationName>(name: N, params: Notifications[N]): void {
    this.handlers.get(name)?.(params as never);
  }

  onNotification<N extends NotificationName>(name: N, handler: (params: Notifications[N]) => void): void {
    this.handlers.set(name, handler as (params: never) => void);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** A followed stream ended (supervisord went away): the client is done, as a closed socket. */
  ended(): void {
    if (this.closed) return;
    this.close();
    for (const listener of this.closeListeners) listener();
  }

  close(): void {
    this.closed = true;
    for (const req of this.streams) req.destroy();
    this.agent.destroy();
  }
}
