/**
 * A listener pool with real ListenerOutputs fed through pipes (PassThrough streams stand in for
 * the child's stdout; its stdin is a list of writes). The processes are stand-ins: only state,
 * name and sendStdin matter to the pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { GroupConfig } from '../src/config/types.js';
import type { LogLevel } from '../src/logger.js';
import { SerialCounter, SupervisorEvent } from '../src/events/event.js';
import { ListenerOutput } from '../src/events/listener-output.js';
import { readableOf } from '../src/logs/pipe-source.js';
import { tickBody } from '../src/events/payload.js';
import { ListenerPool } from '../src/events/pool.js';
import { ProcessGroup } from '../src/process/group.js';
import type { ChildOutput } from '../src/process/output.js';
import type { Subprocess } from '../src/process/subprocess.js';

const silentInner: ChildOutput = {
  stdoutPath: '',
  stderrPath: '',
  async attach(stdout, stderr) {
    await Promise.all([stdout, stderr].map((s) => s && new Promise((resolve) => readableOf(s).on('end', resolve).on('close', resolve).resume())));
  },
  read: async () => '',
  tail: async () => ({ bytes: '', offset: 0, overflow: false }),
  clear: async () => {},
  reopen: async () => {},
  close: async () => {},
};

interface FakeListener {
  name: string;
  state: string;
  output: ListenerOutput;
  stdin: string[];
  stdout: PassThrough;
  drained: Promise<void>;
  sendStdin(text: string): void;
}

function listener(name: string, log: string[]): FakeListener {
  const output = new ListenerOutput(silentInner, name, { log: (level: LogLevel, m: string) => log.push(`${level} ${m}`) });
  const stdout = new PassThrough();
  const l: FakeListener = {
    name,
    state: 'RUNNING',
    output,
    stdin: [],
    stdout,
    drained: output.attach(stdout, null),
    sendStdin(text) {
      if (this.state !== 'RUNNING') throw new Error('not running');
      this.stdin.push(text);
    },
  };
  return l;
}

function pool(names: string[], bufferSize = 10, events = ['TICK']) {
  const log: string[] = [];
  const gc = { name: 'pool', kind: 'eventlistener', priority: -1, processes: [], socket: null, listener: { events, bufferSize, resultHandler: '' } } as unknown as GroupConfig;
  const group = new ProcessGroup(gc, null);
  const listeners = names.map((n) => listener(n, log));
  group.processes.push(...(listeners as unknown as Subprocess[]));
  return { pool: new ListenerPool(group, { identifier: 'supervisor', logger: { log: (level, m) => log.push(`${level} ${m}`) } }), listeners, log };
}

const serials = new SerialCounter();
const tick = (when: number) => new SupervisorEvent(tickBody(5, when), serials);
const say = async (l: FakeListener, text: string) => {
  l.stdout.write(text);
  await new Promise((r) => setImmediate(r));
};
const whens = (l: FakeListener) => l.stdin.map((s) => /when:(\d+)/.exec(s)![1]);

test('events wait for a READY listener, then go one at a time', async () => {
  const { pool: p, listeners: [a] } = pool(['a']);
  const e1 = tick(1);
  p.offer(e1);
  p.offer(tick(2));
  assert.equal(a!.stdin.length, 0);
  await say(a!, 'READY\n');
  assert.equal(a!.stdin.length, 1);
  assert.equal(a!.stdin[0], `ver:3.0 server:supervisor serial:${e1.serial} pool:pool poolserial:0 eventname:TICK_5 len:6\nwhen:1`);
  assert.equal(a!.output.state, 'BUSY');
  await say(a!, 'RESULT 2\nOK');
  assert.equal(a!.stdin.length, 1);
  await say(a!, 'READY\n');
  assert.deepEqual(whens(a!), ['1', '2']);
  assert.match(a!.stdin[1]!, / poolserial:1 /);
});

test('events not subscribed to are ignored', async () => {
  const { pool: p, listeners: [a] } = pool(['a'], 10, ['PROCESS_STATE']);
  await say(a!, 'READY\n');
  p.offer(tick(1));
  assert.equal(a!.stdin.length, 0);
  assert.equal(p.pending().length, 0);
});

test('FAIL: the same event comes again', async () => {
  const { pool: p, listeners: [a], log } = pool(['a']);
  await say(a!, 'READY\n');
  p.offer(tick(1));
  p.offer(tick(2));
  await say(a!, 'RESULT 4\nFAILREADY\n');
  await say(a!, 'RESULT 2\nOKREADY\n');
  assert.deepEqual(whens(a!), ['1', '1', '2']);
  assert.equal(a!.stdin[0], a!.stdin[1]);
  assert.ok(log.includes('warn a: event was rejected'));
});

test('a full buffer discards the oldest event, with an error in the log', async () => {
  const { pool: p, listeners: [a], log } = pool(['a'], 2);
  const events = [tick(1), tick(2), tick(3)];
  for (const e of events) p.offer(e);
  assert.deepEqual(p.pending().map((e) => e.payload.when), ['2', '3']);
  assert.ok(log.includes(`error pool pool event buffer overflowed, discarding event ${events[0]!.serial}`), log.join('\n'));
  await say(a!, 'READY\n');
  assert.deepEqual(whens(a!), ['2']);
});

test('a busy listener gets no second event; another READY one does', async () => {
  const { pool: p, listeners: [a, b] } = pool(['a', 'b']);
  await say(a!, 'READY\n');
  await say(b!, 'READY\n');
  p.offer(tick(1));
  p.offer(tick(2));
  p.offer(tick(3));
  assert.deepEqual(whens(a!), ['1']);
  assert.deepEqual(whens(b!), ['2']);
  assert.equal(p.pending().length, 1);
  await say(b!, 'RESULT 2\nOKREADY\n');
  assert.deepEqual(whens(b!), ['2', '3']);
});

test('only RUNNING listeners get events', async () => {
  const { pool: p, listeners: [a] } = pool(['a']);
  a!.state = 'STARTING';
  await say(a!, 'READY\n');
  p.offer(tick(1));
  assert.equal(a!.stdin.length, 0);
  a!.state = 'RUNNING';
  p.dispatch();
  assert.equal(a!.stdin.length, 1);
});

test('a listener that dies while BUSY hands its event back', async () => {
  const { pool: p, listeners: [a, b] } = pool(['a', 'b']);
  await say(a!, 'READY\n');
  p.offer(tick(1));
  assert.equal(a!.output.event?.payload.when, '1');
  a!.state = 'EXITED';
  a!.stdout.end();
  await a!.drained;
  assert.deepEqual(p.pending().map((e) => e.payload.when), ['1']);
  await say(b!, 'READY\n');
  assert.deepEqual(whens(b!), ['1']);
  assert.equal(b!.stdin[0]!.replace(/^.*?\n/, ''), 'when:1');
});

test('protocol violations: UNKNOWN listeners get nothing more', async () => {
  const { pool: p, listeners: [a], log } = pool(['a']);
  await say(a!, 'hello there\n');
  p.offer(tick(1));
  assert.equal(a!.output.state, 'UNKNOWN');
  assert.equal(a!.stdin.length, 0);
  assert.ok(log.some((l) => l.startsWith('warn a: has entered the UNKNOWN state')));
});
