// tsv_reuseport.c: listenTcp(..., reuseport) joins an SO_REUSEPORT group and steerReuseport sends
// every new connection to the sockets at the given positions of the kernel's array (listen()
// order; a closed one replaced by the last), which socket_drain relies on (sockets/drain-pool.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { closeFd, listenQueue, listenTcp, socketPort, steerReuseport } from '../src/native/index.js';

async function connect(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: n }, () => new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    })),
  );
}

const queued = (fds: number[]) => fds.map((fd) => listenQueue(fd)?.queued);

test('steerReuseport sends new connections only to the chosen sockets of the group', async () => {
  const a = listenTcp('127.0.0.1', 0, 16, true);
  const port = socketPort(a);
  const b = listenTcp('127.0.0.1', port, 16, true);
  const c = listenTcp('127.0.0.1', port, 16, true);
  const clients: net.Socket[] = [];
  try {
    steerReuseport(a, [1]);
    clients.push(...(await connect(port, 5)));
    assert.deepEqual(queued([a, b, c]), [0, 5, 0]);
    steerReuseport(b, [0, 2]);
    clients.push(...(await connect(port, 12)));
    const [qa, qb, qc] = queued([a, b, c]) as number[];
    assert.equal(qb, 5, 'the socket steered away got a new connection');
    assert.equal(qa! + qc!, 12);
    // closing `a` (position 0) moves the last one, `c`, into position 0
    closeFd(a);
    steerReuseport(b, [0]);
    clients.push(...(await connect(port, 2)));
    assert.deepEqual(queued([b, c]), [5, qc! + 2]);
  } finally {
    for (const s of clients) s.destroy();
    for (const fd of [b, c]) closeFd(fd);
  }
});

test('without reuseport a second socket on the address is refused (EADDRINUSE)', () => {
  const a = listenTcp('127.0.0.1', 0, 16, true);
  try {
    assert.throws(() => listenTcp('127.0.0.1', socketPort(a), 16), { code: 'EADDRINUSE' });
  } finally {
    closeFd(a);
  }
});
