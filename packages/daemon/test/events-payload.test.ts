/**
 * Event types and payloads. The expected payload texts were recorded from Debian's supervisord
 * 4.2.5 with a childutils listener (test/fixtures/events/recorder.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EVENT_TYPES } from '../src/config/schema.js';
import { SerialCounter, SupervisorEvent } from '../src/events/event.js';
import {
  characterCount,
  decodeData,
  envelope,
  processCommunicationBody,
  processGroupBody,
  processLogBody,
  processStateBody,
  pyBytesRepr,
  remoteCommunicationBody,
  supervisorStateBody,
  tickBody,
} from '../src/events/payload.js';
import { EVENT_TYPE_NAMES, isA, subscribes } from '../src/events/types.js';

test('the event type names are the ones the config accepts', () => {
  assert.deepEqual([...EVENT_TYPE_NAMES].sort(), [...EVENT_TYPES].sort());
});

test('abstract names subscribe to their subtypes', () => {
  assert.ok(isA('PROCESS_STATE_RUNNING', 'PROCESS_STATE'));
  assert.ok(isA('PROCESS_STATE_RUNNING', 'EVENT'));
  assert.ok(isA('TICK_60', 'TICK'));
  assert.ok(isA('PROCESS_LOG_STDERR', 'PROCESS_LOG'));
  assert.ok(isA('PROCESS_COMMUNICATION_STDOUT', 'PROCESS_COMMUNICATION'));
  assert.ok(isA('SUPERVISOR_STATE_CHANGE_STOPPING', 'SUPERVISOR_STATE_CHANGE'));
  assert.ok(isA('PROCESS_GROUP_REMOVED', 'PROCESS_GROUP'));
  assert.ok(isA('REMOTE_COMMUNICATION', 'REMOTE_COMMUNICATION'));
  assert.ok(!isA('PROCESS_STATE_RUNNING', 'PROCESS_STATE_EXITED'));
  assert.ok(!isA('TICK_5', 'PROCESS_STATE'));
  assert.ok(!isA('PROCESS_LOG_STDOUT', 'PROCESS_COMMUNICATION'));
  assert.ok(subscribes(['TICK_5', 'PROCESS_GROUP'], 'PROCESS_GROUP_ADDED'));
  assert.ok(!subscribes(['TICK_5', 'PROCESS_GROUP'], 'TICK_60'));
  assert.ok(!subscribes([], 'TICK_5'));
});

test("tsupervisor's own types go only to subscriptions that name them, never to EVENT", () => {
  assert.ok(!isA('TSUPERVISOR_DEPENDENCY_WAITING', 'EVENT'));
  assert.ok(!subscribes(['EVENT', 'PROCESS_STATE'], 'TSUPERVISOR_DEPENDENCY_RELEASED'));
  assert.ok(subscribes(['EVENT', 'TSUPERVISOR_DEPENDENCY'], 'TSUPERVISOR_DEPENDENCY_RELEASED'));
  assert.ok(subscribes(['TSUPERVISOR_DEPENDENCY_WAITING'], 'TSUPERVISOR_DEPENDENCY_WAITING'));
  assert.ok(!subscribes(['TSUPERVISOR_DEPENDENCY_WAITING'], 'TSUPERVISOR_DEPENDENCY_RELEASED'));
  assert.ok(!subscribes(['EVENT', 'TSUPERVISOR_DEPENDENCY'], 'TSUPERVISOR_READINESS_WAITING'));
  assert.ok(subscribes(['TSUPERVISOR_READINESS'], 'TSUPERVISOR_READINESS_WAITING'));
});

const state = (to: Parameters<typeof processStateBody>[0]['to'], from: Parameters<typeof processStateBody>[0]['from'], extra: { expected?: boolean; pid?: number; tries?: number } = {}) =>
  processStateBody({ processname: 'web', groupname: 'web', from, to, expected: extra.expected ?? true, pid: extra.pid ?? 0, tries: extra.tries ?? 0 });

test('PROCESS_STATE payloads as supervisor renders them', () => {
  assert.equal(state('STARTING', 'STOPPED').text, 'processname:web groupname:web from_state:STOPPED tries:0');
  assert.equal(state('STARTING', 'EXITED').text, 'processname:web groupname:web from_state:EXITED tries:0');
  assert.equal(state('RUNNING', 'STARTING', { pid: 10720 }).text, 'processname:web groupname:web from_state:STARTING pid:10720');
  assert.equal(state('STOPPING', 'RUNNING', { pid: 10720 }).text, 'processname:web groupname:web from_state:RUNNING pid:10720');
  assert.equal(state('STOPPED', 'STOPPING', { pid: 10720 }).text, 'processname:web groupname:web from_state:STOPPING pid:10720');
  assert.equal(
    state('EXITED', 'RUNNING', { expected: false, pid: 11295 }).text,
    'processname:web groupname:web from_state:RUNNING expected:0 pid:11295',
  );
  assert.equal(state('EXITED', 'RUNNING', { expected: true, pid: 7 }).text, 'processname:web groupname:web from_state:RUNNING expected:1 pid:7');
  assert.equal(state('BACKOFF', 'STARTING', { tries: 2 }).text, 'processname:web groupname:web from_state:STARTING tries:2');
  assert.equal(state('FATAL', 'BACKOFF', { pid: 9 }).text, 'processname:web groupname:web from_state:BACKOFF');
  assert.equal(state('UNKNOWN', 'STOPPING', { pid: 9 }).text, 'processname:web groupname:web from_state:STOPPING');
  assert.equal(state('RUNNING', 'STARTING').type, 'PROCESS_STATE_RUNNING');
  assert.deepEqual(state('EXITED', 'RUNNING', { expected: false, pid: 5 }).fields, [
    ['processname', 'web'],
    ['groupname', 'web'],
    ['from_state', 'RUNNING'],
    ['expected', '0'],
    ['pid', '5'],
  ]);
});

test('PROCESS_LOG, PROCESS_COMMUNICATION, REMOTE_COMMUNICATION payloads carry their data after a newline', () => {
  const log = processLogBody({ processname: 'web', groupname: 'web', pid: 10720, channel: 'stdout', data: Buffer.from('hello\n') });
  assert.equal(log.type, 'PROCESS_LOG_STDOUT');
  assert.equal(log.text, 'processname:web groupname:web pid:10720 channel:stdout\nhello\n');
  assert.equal(log.data, 'hello\n');
  const err = processLogBody({ processname: 'web', groupname: 'web', pid: 10720, channel: 'stderr', data: Buffer.from('err\n') });
  assert.equal(err.text, 'processname:web groupname:web pid:10720 channel:stderr\nerr\n');
  const comm = processCommunicationBody({ processname: 'w', groupname: 'g', pid: 3, channel: 'stderr', data: Buffer.from('hi') });
  assert.equal(comm.type, 'PROCESS_COMMUNICATION_STDERR');
  assert.equal(comm.text, 'processname:w groupname:g pid:3\nhi');
  const remote = remoteCommunicationBody('alert', 'disk full');
  assert.equal(remote.text, 'type:alert\ndisk full');
  assert.deepEqual(remote.fields, [['type', 'alert']]);
});

test('group, supervisor state and tick payloads', () => {
  assert.equal(processGroupBody(true, 'rec').text, 'groupname:rec\n');
  assert.equal(processGroupBody(false, 'rec').type, 'PROCESS_GROUP_REMOVED');
  assert.equal(supervisorStateBody(true).text, '');
  assert.equal(supervisorStateBody(false).type, 'SUPERVISOR_STATE_CHANGE_STOPPING');
  assert.equal(tickBody(5, 1795710880).text, 'when:1795710880');
  assert.equal(tickBody(3600, 1795708800).type, 'TICK_3600');
});

test('the envelope header counts characters, as Python len() does', () => {
  const text = envelope({ identifier: 'supervisor', serial: 5, pool: 'rec', poolserial: 5, type: 'PROCESS_LOG_STDOUT', payload: 'processname:web groupname:web pid:10720 channel:stdout\nhello\n' });
  assert.equal(
    text,
    'ver:3.0 server:supervisor serial:5 pool:rec poolserial:5 eventname:PROCESS_LOG_STDOUT len:61\nprocessname:web groupname:web pid:10720 channel:stdout\nhello\n',
  );
  assert.equal(characterCount('héllo €😀'), 8);
  assert.match(envelope({ identifier: 'x', serial: 0, pool: 'p', poolserial: 0, type: 'TICK_5', payload: '😀é' }), / len:2\n/);
});

test('undecodable output is shown as Python shows bytes', () => {
  assert.equal(decodeData(Buffer.from('ok é')), 'ok é');
  const samples = [Buffer.from([0xff, 0x41, 0x0a, 0x27]), Buffer.from([0x22, 0x27, 0x5c, 0x09, 0x0d, 0x00, 0x7f]), Buffer.from("it's")];
  for (const b of samples) {
    const python = execFileSync('/usr/bin/python3', ['-c', `import sys; print(repr(bytes.fromhex(sys.argv[1])), end='')`, b.toString('hex')]).toString();
    assert.equal(pyBytesRepr(b), python);
  }
  assert.equal(decodeData(Buffer.from([0xff, 0x41])), "Undecodable: b'\\xffA'");
});

test('the global serial is taken on first use and shared by every pool', () => {
  const serials = new SerialCounter();
  const a = new SupervisorEvent(tickBody(5, 0), serials);
  const b = new SupervisorEvent(tickBody(5, 5), serials);
  assert.equal(b.serial, 0);
  assert.equal(a.serial, 1);
  assert.equal(a.serial, 1);
  assert.deepEqual(a.payload, { when: '0' });
  assert.ok(a.matches(['TICK']));
  assert.ok(!a.matches(['TICK_60']));
});
