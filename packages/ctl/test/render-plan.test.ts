// `update --dry-run` / `reread -v` lines and the rolling restart summary (render/plan.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpdatePlan } from '@tsupervisor/protocol';
import { planLines, rollingSummary } from '../src/render/plan.js';

test('no change: reread\'s own line', () => {
  assert.deepEqual(planLines({ added: [], changed: [], removed: [], groups: [] }), ['No config updates to processes']);
});

test('groups sorted as reread sorts them, each with its socket and processes', () => {
  const plan: UpdatePlan = {
    added: ['x'],
    changed: ['web'],
    removed: ['a'],
    groups: [
      { group: 'a', change: 'removed', changed: [], socket: null, processes: [] },
      {
        group: 'web',
        change: 'changed',
        changed: ['priority', 'socket_backlog'],
        socket: { action: 'update', from: 'tcp://127.0.0.1:9001', to: 'tcp://127.0.0.1:9001', changed: ['socket_backlog'] },
        processes: [
          { name: 'web_00', group: 'web', action: 'keep', changed: [] },
          { name: 'web_01', group: 'web', action: 'keep', changed: ['stopwaitsecs'] },
          { name: 'web_02', group: 'web', action: 'restart', changed: ['command', 'environment'] },
          { name: 'web_03', group: 'web', action: 'start', changed: [] },
          { name: 'web_05', group: 'web', action: 'stop', changed: [] },
        ],
      },
      { group: 'x', change: 'added', changed: [], socket: null, processes: [{ name: 'a', group: 'x', fromGroup: 'a', action: 'keep', changed: [] }] },
    ],
  };
  assert.deepEqual(planLines(plan), [
    'a: disappeared',
    'web: changed',
    '  group settings changed: priority',
    '  socket tcp://127.0.0.1:9001: updated in place (socket_backlog)',
    '  web:web_00: keep',
    '  web:web_01: keep (applied in place: stopwaitsecs)',
    '  web:web_02: restart (changed: command, environment)',
    '  web:web_03: start (new)',
    '  web:web_05: stop',
    'x: available',
    '  x:a: keep (moves from group a)',
  ]);
});

test('a process update would start says what its depends_on= makes it wait for', () => {
  const plan: UpdatePlan = {
    added: ['api'],
    changed: [],
    removed: [],
    groups: [
      {
        group: 'api',
        change: 'added',
        changed: [],
        socket: null,
        processes: [{ name: 'api', group: 'api', action: 'start', changed: [], waitsFor: ['db (ready): STARTING', 'migrate (exited): started by this update'] }],
      },
    ],
  };
  assert.deepEqual(planLines(plan), ['api: available', '  api: start (new; waits for db (ready): STARTING, migrate (exited): started by this update)']);
});

test('rolling summary: null when every replacement ran, else names the failure and the rest', () => {
  const ok = { name: 'w_0', group: 'w', stopped: true, status: 80, description: 'OK' };
  assert.equal(rollingSummary({ steps: [ok], skipped: [] }), null);
  const bad = { name: 'w_1', group: 'w', stopped: true, status: 50, description: 'SPAWN_ERROR: w:w_1' };
  assert.equal(
    rollingSummary({ steps: [ok, bad], skipped: ['w:w_2', 'w:w_3'] }),
    'rolling restart stopped at w:w_1: it did not reach RUNNING (SPAWN_ERROR: w:w_1); not restarted (left as they were): w:w_2 w:w_3',
  );
});
