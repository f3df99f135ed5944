/**
 * getAllProcessInfo on the control socket, serialized once for everyone while it does not
 * change. With 1,000 processes its answer is ~300 kB of JSON; 50 clients polling it made the
 * daemon build a 300 kB string and a 300 kB buffer per call, in V8's large object space and
 * in external memory, which only full collections free (peak RSS near 200 MB, BENCHMARKS.md).
 * The handler (rpc/info.ts) returns the very same array while nothing in it changed; its
 * bytes are then written again, one Buffer shared by every connection's write queue.
 */
import type { Handlers } from '@tsupervisor/protocol';
import { EncodedResult, type Connection } from '@tsupervisor/protocol/server';

export function shareLargeResults(handlers: Handlers<Connection>): Handlers<Connection> {
  const base = handlers['supervisor.getAllProcessInfo'];
  let last: unknown = null;
  let body: EncodedResult | null = null;
  const shared = async (params: Parameters<typeof base>[0], connection: Connection) => {
    const infos = await base(params, connection);
    if (infos !== last || !body) {
      last = infos;
      body = new EncodedResult(Buffer.from(JSON.stringify(infos)));
    }
    return body;
  };
  return { ...handlers, 'supervisor.getAllProcessInfo': shared as unknown as Handlers<Connection>['supervisor.getAllProcessInfo'] };
}
