/**
 * What runs before every handler, for every transport: one call goes through credentials, the
 * shutdown gate, the parameter checks of its descriptor (protocol's METHODS), the audit trail
 * (state-changing calls, refused ones included), then its handler. JSON-RPC (rpc/json-rpc.ts),
 * supervisor's XML-RPC and the web interface (xmlrpc/, web/) call `call` with the method's own
 * values, so they share these steps and nothing else: no transport calls through another.
 */
import {
  Faults,
  RPCFault,
  STATE_CHANGING,
  faultName,
  validateParams,
  type Handlers,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { Logger } from '../logger.js';
import { openAuditLog, type Caller } from './audit.js';
import { checkAuth, type ServerCredentials } from './credentials.js';

/**
 * Methods that answer even while shutting down or restarting. Every supervisor.* method starts
 * with supervisor's _update, which refuses with SHUTDOWN_STATE then (getAPIVersion included, so
 * supervisorctl's upcheck fails first); only the system namespace goes on answering.
 */
const ALWAYS: ReadonlySet<MethodName> = new Set<MethodName>(['system.listMethods']);

/** Who calls: the connection (peer credentials, notifications) and the credentials it gave. */
export interface CallContext {
  connection: Connection;
  /** `{ username, password }` as given (JSON-RPC's `_auth`, HTTP Basic auth), if any. */
  credentials: unknown;
}

/** A typed call of one method through the pipeline. */
export type Invoke = <M extends MethodName>(method: M, params: NonNullable<ParamsOf<M>>) => Promise<ResultOf<M>>;

export interface CallPipeline {
  /** The credentials check alone, audited: for a call of a method the table does not have. */
  admit(method: string, params: unknown, context: CallContext): void;
  /** The whole pipeline, then the handler; throws its RPCFault. `params` are not copied. */
  call<M extends MethodName>(method: M, params: NonNullable<ParamsOf<M>>, context: CallContext): Promise<ResultOf<M>>;
  /** `call` bound to one caller. */
  invoker(context: CallContext): Invoke;
}

export interface PipelineOptions {
  handlers: Handlers<Connection>;
  /** The server section the calls come through ([unix_http_server] or [inet_http_server]). */
  credentials: ServerCredentials;
  logger: Logger;
  /** False while shutting down or restarting: most calls get SHUTDOWN_STATE. */
  accepting(): boolean;
  /** The audit trail's file (calls/audit.ts auditPath), null for none. */
  auditPath?: string | null;
  /** Each call's end, for /metrics: 'success', or the fault's name ('ERROR' for an exception). */
  onCall?(method: MethodName, outcome: string): void;
}

/** The caller of a connection's calls: SO_PEERCRED on the Unix socket, the address over TCP. */
function callerOf(connection: Connection): Caller | undefined {
  const peer = connection.data['peer'] as Caller | undefined;
  if (peer) return peer;
  const remote = connection.data['remote'];
  return typeof remote === 'string' ? { remote } : undefined;
}

export function createCallPipeline(options: PipelineOptions): CallPipeline {
  const { credentials, logger, handlers } = options;
  const audit = openAuditLog(options.auditPath ?? null, logger);
  /** Runs a check of a call; a state-changing call goes to the audit trail, refused or not. */
  const audited = (method: string, params: unknown, connection: Connection, check: () => void) => {
    if (!STATE_CHANGING.has(method as MethodName)) return check();
    try {
      check();
    } catch (err) {
      audit.record(method, params, callerOf(connection), err instanceof RPCFault ? (faultName(err.code) ?? String(err.code)) : 'ERROR');
      throw err;
    }
  };
  const admit = (method: string, params: unknown, { connection, credentials: given }: CallContext) => {
    if (credentials.username !== null) audited(method, params, connection, () => checkAuth(credentials, given));
  };
  const run = async <M extends MethodName>(method: M, params: NonNullable<ParamsOf<M>>, context: CallContext): Promise<ResultOf<M>> => {
    const { connection } = context;
    admit(method, params, context);
    audited(method, params, connection, () => {
      if (!ALWAYS.has(method) && !options.accepting()) throw new RPCFault(Faults.SHUTDOWN_STATE);
      validateParams(method, params as Record<string, unknown>);
    });
    if (STATE_CHANGING.has(method)) {
      const who = callerOf(connection);
      audit.record(method, params, who, null);
      const name = (params as Record<string, unknown>)['name'];
      const target = typeof name === 'string' ? ` ${name}` : '';
      const by = who && 'remote' in who ? who.remote : `uid ${who?.uid ?? '?'} (pid ${who?.pid ?? '?'})`;
      logger.log('debug', `${method}${target} called by ${by}`);
    }
    const handler = handlers[method] as (params: NonNullable<ParamsOf<M>>, c: Connection) => ResultOf<M> | Promise<ResultOf<M>>;
    return handler(params, connection);
  };
  const { onCall } = options;
  /** `run`, its outcome counted for /metrics when asked (onCall). */
  const call = async <M extends MethodName>(method: M, params: NonNullable<ParamsOf<M>>, context: CallContext): Promise<ResultOf<M>> => {
    if (!onCall) return run(method, params, context);
    try {
      const result = await run(method, params, context);
      onCall(method, 'success');
      return result;
    } catch (err) {
      onCall(method, err instanceof RPCFault ? (faultName(err.code) ?? String(err.code)) : 'ERROR');
      throw err;
    }
  };
  return {
    admit,
    call,
    invoker: (context) => (method, params) => call(method, params, context),
  };
}
