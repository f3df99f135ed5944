/**
 * JSON-RPC (tsupervisorctl's transport) onto the call pipeline: each request of a method of the
 * table is one pipeline call, its `_auth` param the credentials; a request of another method, or
 * with params that are not an object, is checked for credentials first (UNAUTHORIZED before
 * METHOD_NOT_FOUND), as every request is.
 *
 * getAllProcessInfo is serialized once for everyone while it does not change. With 1,000
 * processes its answer is ~300 kB of JSON; 50 clients polling it made the daemon build a 300 kB
 * string and a 300 kB buffer per call, in V8's large object space and in external memory, which
 * only full collections free (peak RSS near 200 MB, BENCHMARKS.md). The handler (rpc/info.ts)
 * returns the very same array while nothing in it changed; its bytes are then written again,
 * one Buffer shared by every connection's write queue.
 */
import { isMethodName, type MethodName, type ParamsOf } from '@tsupervisor/protocol';
import { createCallDispatcher, EncodedResult } from '@tsupervisor/protocol/server';
import type { CallPipeline } from '../calls/pipeline.js';

export type JsonRpcDispatcher = ReturnType<typeof createCallDispatcher>;

export function createJsonRpcDispatcher(pipeline: CallPipeline): JsonRpcDispatcher {
  let last: unknown = null;
  let body: EncodedResult | null = null;
  const shared = (infos: unknown): EncodedResult => {
    if (infos !== last || !body) {
      last = infos;
      body = new EncodedResult(Buffer.from(JSON.stringify(infos)));
    }
    return body;
  };
  return createCallDispatcher(
    async (method, params, connection) => {
      const credentials = params['_auth'];
      delete params['_auth'];
      const result = await pipeline.call(method, params as NonNullable<ParamsOf<MethodName>>, { connection, credentials });
      return method === 'supervisor.getAllProcessInfo' ? shared(result) : result;
    },
    {
      guard(params, connection, method) {
        const named = params === undefined || params === null || (typeof params === 'object' && !Array.isArray(params));
        if (!isMethodName(method) || !named) {
          pipeline.admit(method, params, { connection, credentials: (params as Record<string, unknown> | null)?.['_auth'] });
        }
      },
    },
  );
}
