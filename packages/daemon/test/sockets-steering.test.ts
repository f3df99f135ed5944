// socket_drain's decisions as pure functions (sockets/steering.ts): which sockets receive new
// connections given the workers' states, which free socket a new worker takes, which can close,
// the kernel's SO_REUSEPORT array after a close; and the /proc/net/tcp reading of held-connections.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slotForSpawn, steerTargets, surplusSlots, withoutSlot, type SlotView } from '../src/sockets/steering.js';
import { connectionInodes } from '../src/sockets/held-connections.js';

const slot = (holder: SlotView['holder'], queued = 0): SlotView => ({ holder, queued });

test('serving workers receive; a draining one and free ones do not', () => {
  assert.deepEqual(steerTargets([slot('serving'), slot('draining'), slot('serving'), slot(null)]), [0, 2]);
});

test('with every worker draining, connections park in one free socket (never refused)', () => {
  assert.deepEqual(steerTargets([slot('draining'), slot('draining'), slot(null)]), [2]);
  // the free socket already holding connections keeps parking them
  assert.deepEqual(steerTargets([slot(null), slot('draining'), slot(null, 3)]), [2]);
  assert.deepEqual(steerTargets([slot('draining')]), []);
});

test('a new worker takes the free socket with the most waiting connections', () => {
  assert.equal(slotForSpawn([slot('serving', 9), slot(null), slot(null, 4), slot(null, 1)]), 2);
  assert.equal(slotForSpawn([slot(null), slot(null)]), 0);
  assert.equal(slotForSpawn([slot('serving'), slot('draining')]), null);
});

test('surplus: empty free sockets beyond one spare, highest first; one with connections stays', () => {
  assert.deepEqual(surplusSlots([slot('serving'), slot(null), slot(null), slot(null)]), [3, 2]);
  assert.deepEqual(surplusSlots([slot('serving'), slot(null, 2), slot(null)]), [2]);
  assert.deepEqual(surplusSlots([slot('serving'), slot(null)]), []);
});

test('closing a socket moves the last one of the kernel array into its place', () => {
  assert.deepEqual(withoutSlot(['a', 'b', 'c', 'd'], 1), ['a', 'd', 'c']);
  assert.deepEqual(withoutSlot(['a', 'b', 'c'], 2), ['a', 'b']);
});

test('connectionInodes: non-listening sockets on the local port, with their inodes', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0',
    '   1: 0100007F:2329 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1',
    '   2: 0100007F:2329 0100007F:D2F2 06 00000000:00000000 03:00000D9B 00000000     0        0 0 3 0',
    '   3: 0100007F:1F90 0100007F:D2F4 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 20 4 30 10 -1',
  ].join('\n');
  assert.deepEqual(connectionInodes(table, 0x2329), ['222']);
});

test('a slot a worker drains in is never a target, even when it has queued connections', () => {
  // its queue is what it still serves before it is signalled; nothing new goes there
  assert.deepEqual(steerTargets([slot('draining', 5), slot('serving'), slot(null, 2)]), [1]);
  assert.deepEqual(steerTargets([slot('draining', 5), slot(null)]), [1]);
  assert.equal(slotForSpawn([slot('draining', 5), slot(null)]), 1);
});

test('a stopped pool (every slot free) parks in the fullest one, and the first worker started takes it', () => {
  const stopped = [slot(null), slot(null, 3), slot(null, 1)];
  assert.deepEqual(steerTargets(stopped), [1]);
  assert.equal(slotForSpawn(stopped), 1);
  assert.deepEqual(steerTargets([]), []);
  assert.equal(slotForSpawn([]), null);
});

test('restart --rolling, step by step: the stopping worker leaves the targets, its replacement joins them', () => {
  const pool = [slot('serving'), slot('serving'), slot('serving'), slot(null)];
  pool[0] = slot('draining', 1);
  assert.deepEqual(steerTargets(pool), [1, 2]);
  // the replacement is spawned while the old one drains: it takes the spare
  assert.equal(slotForSpawn(pool), 3);
  pool[3] = slot('serving');
  assert.deepEqual(steerTargets(pool), [1, 2, 3]);
  // the old worker exits: its slot is free, kept as the pool's spare
  pool[0] = slot(null);
  assert.deepEqual(steerTargets(pool), [1, 2, 3]);
  assert.deepEqual(surplusSlots(pool), []);
});

test('restart g:*: every worker drains, connections park in the spare, the first replacement takes them', () => {
  const pool = [slot('draining'), slot('draining'), slot(null, 4)];
  assert.deepEqual(steerTargets(pool), [2]);
  assert.equal(slotForSpawn(pool), 2);
  pool[2] = slot('serving', 4);
  assert.deepEqual(steerTargets(pool), [2]);
  // both old workers gone, one more replacement: it takes a free slot, no spare left to keep
  pool[0] = slot(null);
  pool[1] = slot(null);
  assert.equal(slotForSpawn(pool), 0);
  assert.deepEqual(surplusSlots(pool), [1]);
});

test('numprocs down: the empty free slots beyond one spare close, highest first, draining ones stay', () => {
  assert.deepEqual(surplusSlots([slot('serving'), slot('draining'), slot(null), slot(null), slot(null)]), [4, 3]);
  // a free slot holding connections counts as the spare: every empty free one can go
  assert.deepEqual(surplusSlots([slot('serving'), slot(null), slot(null, 1), slot(null)]), [3, 1]);
  assert.deepEqual(withoutSlot(['only'], 0), []);
});
