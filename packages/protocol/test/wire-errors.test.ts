/**
 * Faults keep supervisor's text as the JSON-RPC error's message and carry their detail apart in
 * `data`; the client reads the detail from there, and a closed connection is told apart by its
 * code. Over a real Unix socket.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ControlClient, ErrorCodes, Faults, RPCFault, TsvError, faultFromError, hasCode } from '../src/index.js';
import { createDispatcher, serveConnection } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'tsv-wire-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Every method through one Proxy: the method table's shape does not matter here.
const handlers = new Proxy({}, {
  get: (_target, method) => () => {
    if (method === 'supervisor.getAPIVersion') return '3.0';
    if (method === 'supervisor.getProcessInfo') throw new RPCFault(Faults.BAD_NAME, 'no: such');
    throw new RPCFault(Faults.SHUTDOWN_STATE);
  },
}) as Parameters<typeof createDispatcher>[0];

async function serve(): Promise<{ path: string; server: net.Server; sockets: net.Socket[] }> {
  const dispatcher = createDispatcher(handlers);
  const path = join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    serveConnection(socket, dispatcher);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server, sockets };
}

test('a fault on the wire: supervisor text as message, detail in data', async () => {
  const { path, server } = await serve();
  const socket = net.createConnection(path);
  socket.write('{"jsonrpc":"2.0","id":1,"method":"supervisor.getProcessInfo","params":{"name":"x"}}\n');
  const line = await new Promise<string>((resolve) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(buffer.slice(0, buffer.indexOf('\n')));
    });
  });
  socket.destroy();
  server.close();
  assert.deepEqual(JSON.parse(line).error, { code: Faults.BAD_NAME, message: 'BAD_NAME: no: such', data: { detail: 'no: such' } });
});

test('the client reads the detail from data, and a close by its code', async () => {
  const { path, server, sockets } = await serve();
  const client = await ControlClient.connect(path);
  const fault = await client.call('supervisor.getProcessInfo', { name: 'x' }).catch((e: unknown) => e);
  assert.ok(fault instanceof RPCFault);
  assert.equal(fault.detail, 'no: such');
  assert.equal(fault.message, 'BAD_NAME: no: such');
  const bare = await client.call('supervisor.getState').catch((e: unknown) => e);
  assert.ok(bare instanceof RPCFault);
  assert.equal(bare.detail, '');
  assert.equal(bare.message, 'SHUTDOWN_STATE');

  for (const s of sockets) s.destroy();
  server.close();
  const closed = await client.call('supervisor.getState').catch((e: unknown) => e);
  assert.ok(closed instanceof TsvError);
  assert.equal(closed.code, ErrorCodes.CONNECTION_CLOSED);
  assert.ok(hasCode(closed, ErrorCodes.CONNECTION_CLOSED));
  assert.equal(closed.message, 'connection closed by the daemon');
});

test('an error without data (a daemon from before it): the text parsed by the code’s name', () => {
  assert.equal(faultFromError(Faults.BAD_NAME, 'BAD_NAME: a: b').detail, 'a: b');
  assert.equal(faultFromError(Faults.SHUTDOWN_STATE, 'SHUTDOWN_STATE').detail, '');
  assert.equal(faultFromError(-32601, 'Method not found').detail, 'Method not found');
  assert.equal(faultFromError(Faults.BAD_NAME, 'BAD_NAME: text', { detail: 'from data' }).detail, 'from data');
});
