/**
 * reexec: the open connections of the control servers are ended politely before the exec, since
 * the exec closes them. Each JSON-RPC connection answers the requests it is handling, then gets a
 * `tsupervisor.closing` notice with reason 'reexec' (the ctl sends any unanswered call again on
 * a new connection; a `tail -f` or `events` client reconnects and resumes) and ends. A connection
 * that has not said yet whether it speaks JSON-RPC or HTTP is given a moment to; HTTP ones
 * (supervisorctl, XML-RPC) are cut by the exec, as a restart of supervisord would.
 */
import type net from 'node:net';
import type { Connection } from '@tsupervisor/protocol/server';

interface Open {
  /** Its JSON-RPC connection once it spoke (null: not yet, or HTTP). */
  json: Connection | null;
  /** Settles when the first bytes told the transport: the connection, or null for HTTP. */
  decided: Promise<Connection | null>;
}

const open = new Map<net.Socket, Open>();

/** Tracks a socket of a control server from its accept; returns what to call once it spoke. */
export function noteOpened(socket: net.Socket): (json: Connection | null) => void {
  let decide!: (json: Connection | null) => void;
  const entry: Open = { json: null, decided: new Promise((resolve) => (decide = resolve)) };
  open.set(socket, entry);
  socket.once('close', () => {
    open.delete(socket);
    decide(null);
  });
  return (json) => {
    entry.json = json;
    decide(json);
  };
}

/** Retires every JSON-RPC connection (see above); resolves within about 2 × waitMs. */
export async function retireAll(waitMs: number): Promise<void> {
  const timeout = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), waitMs).unref());
  await Promise.all(
    [...open.values()].map(async (entry) => {
      const json = entry.json ?? (await Promise.race([entry.decided, timeout(null)]));
      if (json) await Promise.race([json.retire('reexec', waitMs), timeout(undefined)]);
    }),
  );
}
