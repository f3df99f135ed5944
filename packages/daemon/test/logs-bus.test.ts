import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogBus, MAIN_LOG_NAME } from '../src/logs/index.js';

describe('LogBus', () => {
  it('delivers to every follower of a name and channel, and only to them', () => {
    const bus = new LogBus();
    const got: string[] = [];
    const off1 = bus.subscribe('web:web_0', 'stdout', (d, n, c) => got.push(`1 ${n} ${c} ${d}`));
    bus.subscribe('web:web_0', 'stdout', (d) => got.push(`2 ${d}`));
    bus.subscribe('web:web_0', 'stderr', (d) => got.push(`err ${d}`));
    bus.subscribe(MAIN_LOG_NAME, 'stdout', (d) => got.push(`main ${d}`));
    bus.publish('web:web_0', 'stdout', Buffer.from('a'));
    bus.publish('worker', 'stdout', Buffer.from('nobody'));
    bus.publish(MAIN_LOG_NAME, 'stdout', 'line\n');
    off1();
    off1();
    bus.publish('web:web_0', 'stdout', Buffer.from('b'));
    assert.deepEqual(got, ['1 web:web_0 stdout a', '2 a', 'main line\n', '2 b']);
    assert.equal(bus.size, 3);
  });

  it('keeps UTF-8 characters split between chunks whole', () => {
    const bus = new LogBus();
    const got: string[] = [];
    bus.subscribe('p', 'stdout', (d) => got.push(d));
    const bytes = Buffer.from('€uro');
    bus.publish('p', 'stdout', bytes.subarray(0, 1));
    bus.publish('p', 'stdout', bytes.subarray(1));
    assert.deepEqual(got, ['€uro']);
  });

  it('drops a follower that throws, keeps the others; forgets empty topics', () => {
    const bus = new LogBus();
    const got: string[] = [];
    bus.subscribe('p', 'stdout', () => {
      throw new Error('closed connection');
    });
    const off = bus.subscribe('p', 'stdout', (d) => got.push(d));
    bus.publish('p', 'stdout', 'x');
    bus.publish('p', 'stdout', 'y');
    assert.deepEqual(got, ['x', 'y']);
    assert.equal(bus.size, 1);
    off();
    assert.equal(bus.hasFollowers('p', 'stdout'), false);
  });
});
