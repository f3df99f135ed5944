import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { complete, completeActions, completeGroups, completeProcesses, completionKind, currentWord } from '../src/complete.js';
import { prefixSink } from '../src/follow.js';

const infos = [
  { name: 'a', group: 'g' },
  { name: 'b', group: 'g' },
  { name: 'solo', group: 'solo' },
];

describe('shell completion (Controller.complete)', () => {
  test('what completes', () => {
    assert.equal(completionKind(''), 'actions');
    assert.equal(completionKind('sta'), 'actions');
    assert.equal(completionKind('help '), 'actions');
    assert.equal(completionKind('stop '), 'processes');
    assert.equal(completionKind('update g'), 'groups');
    assert.equal(completionKind('reread '), null);
  });
  test('words keep : * -', () => {
    assert.equal(currentWord('stop g:*'), 'g:*');
    assert.equal(currentWord('stop my-prog'), 'my-prog');
    assert.equal(currentWord('stop '), '');
  });
  test('actions, groups, processes', () => {
    assert.deepEqual(completeActions('sta'), ['start ', 'status ']);
    assert.deepEqual(completeGroups('', infos), ['g ', 'solo ']);
    assert.deepEqual(completeProcesses('', infos), ['g:a ', 'g:* ', 'g:b ', 'solo ']);
    assert.deepEqual(completeProcesses('s', infos), ['solo ']);
    assert.deepEqual(completeProcesses('solo:', infos), ['solo:solo ', 'solo:* ']);
  });
  test('complete() asks for infos only when needed', async () => {
    let asked = 0;
    const load = async () => (asked++, infos);
    assert.deepEqual(await complete('ver', load), ['version ']);
    assert.equal(asked, 0);
    assert.deepEqual(await complete('tail g:', load), ['g:a ', 'g:* ', 'g:b ']);
    assert.equal(asked, 1);
  });
});

describe('following several logs', () => {
  test('lines prefixed with the process name, partial lines held', () => {
    let out = '';
    const sink = prefixSink((t) => (out += t));
    sink.begin!(['web:web_0', 'w']);
    sink.write('w', 'one\ntw');
    sink.write('web:web_0', 'x\n');
    sink.write('w', 'o\n');
    sink.write('w', 'tail');
    sink.end();
    assert.equal(out, 'w         | one\nweb:web_0 | x\nw         | two\nw         | tail\n');
  });
});
