/**
 * `tsupervisorctl events`: a real ctl process streaming what the daemon pushes, while the test
 * changes process states and sends REMOTE_COMMUNICATION events over the control socket.
 * tsupervisor only (an extension of supervisorctl).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ControlClient } from '@tsupervisor/protocol';
import { startStream, stopStream, untilSubscribed } from './events-helpers.js';
import * as h from './harness.js';

const skip = h.defaultImpl !== 'tsupervisor' && 'tsupervisorctl extension';

test('events streams state changes as lines, and JSON lines for chosen types, until SIGINT', { skip }, async () => {
  const d = await h.startDaemon(`
[program:web]
command=sleep 1000
startsecs=0
`);
  const rpc = await ControlClient.connect(join(d.dir, 'supervisor.sock'));
  const text = startStream(d, []);
  const json = startStream(d, ['--json', 'process_state', 'REMOTE_COMMUNICATION']);
  try {
    await untilSubscribed(rpc, text, (l) => l.startsWith('REMOTE_COMMUNICATION type:probe'));
    await untilSubscribed(rpc, json, (l) => l.includes('"REMOTE_COMMUNICATION"'));
    const pid1 = (await d.status('web'))[0]!.pid!;
    assert.equal((await d.ctl(['restart', 'web'])).code, 0);
    const pid2 = (await d.status('web'))[0]!.pid!;
    const states = (ls: string[]) => ls.filter((l) => l.includes('PROCESS_STATE'));
    await h.waitFor('4 state lines in both streams', () => states(text.lines).length >= 4 && states(json.lines).length >= 4, 10_000);

    assert.deepEqual(states(text.lines), [
      `PROCESS_STATE_STOPPING processname:web groupname:web from_state:RUNNING pid:${pid1}`,
      `PROCESS_STATE_STOPPED processname:web groupname:web from_state:STOPPING pid:${pid1}`,
      'PROCESS_STATE_STARTING processname:web groupname:web from_state:STOPPED tries:0',
      `PROCESS_STATE_RUNNING processname:web groupname:web from_state:STARTING pid:${pid2}`,
    ]);
    assert.equal(text.lines.find((l) => l.startsWith('REMOTE')), 'REMOTE_COMMUNICATION type:probe data:"ping"');

    const docs = json.lines.map((l) => JSON.parse(l) as { serial: number; type: string; payload: Record<string, string>; data?: string });
    assert.ok(docs.every((e) => e.type.startsWith('PROCESS_STATE_') || e.type === 'REMOTE_COMMUNICATION'), json.lines.join('\n'));
    assert.deepEqual(docs.find((e) => e.type === 'REMOTE_COMMUNICATION')?.data, 'ping');
    const exited = docs.filter((e) => e.type.startsWith('PROCESS_STATE'));
    assert.deepEqual(exited[1], {
      serial: exited[1]!.serial,
      type: 'PROCESS_STATE_STOPPED',
      payload: { processname: 'web', groupname: 'web', from_state: 'STOPPING', pid: String(pid1) },
    });
    for (let i = 1; i < docs.length; i++) assert.ok(docs[i]!.serial > docs[i - 1]!.serial);

    assert.equal(await stopStream(text), 0);
    assert.equal(await stopStream(json), 0);
    assert.equal(text.stderr(), '');
  } catch (e) {
    (e as Error).message += `\n--- text stream\n${text.lines.join('\n')}\n${text.stderr()}\n--- json stream\n${json.lines.join('\n')}\n${d.logs()}`;
    throw e;
  } finally {
    for (const s of [text, json]) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    rpc.close();
    await d.stop();
  }
});

test('events with an unknown type fails at once', { skip }, async () => {
  const d = await h.startDaemon('');
  try {
    const r = await d.ctl(['events', 'PROCESS_STAT'], 10_000);
    assert.equal(r.stdout, 'Error: Unknown event type PROCESS_STAT\n');
    assert.equal(r.code, 1);
  } finally {
    await d.stop();
  }
});
