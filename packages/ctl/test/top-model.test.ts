/**
 * `top`'s view over several servers, as pure functions: each node's rows and pools are its own
 * (a node's full refresh, stats or going down leaves the others'), the selection names node and
 * process, the NODE column leads (sort key 1) only over several servers, and the frame shows a
 * down node's reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessInfo, StatsResult } from '@tsupervisor/protocol';
import { applyAll, applyInfo, applyStats, columnsOf, emptyView, moveSelection, nodeDown, selectedRow, sortBy, visibleRows } from '../src/top/model.js';
import { renderFrame } from '../src/top/render.js';

const info = (name: string, statename: ProcessInfo['statename'] = 'RUNNING', pid = 100): ProcessInfo =>
  ({ name, group: name, description: '', start: 1, stop: 0, now: 2, state: 20, statename, spawnerr: '', exitstatus: 0, logfile: '', stdout_logfile: '', stderr_logfile: '', pid }) as ProcessInfo;
const stats = (name: string, spawns: number, queued: number): StatsResult => ({
  time: 1000,
  processes: [{ name, group: name, pid: 100, cpuSeconds: 1, residentBytes: 2048, ready: true, spawns }],
  fcgi: [{ group: 'php', address: 'tcp://127.0.0.1:9000', queued, backlog: 16 }],
});

test('rows, stats and pools per node; a node down takes only its own', () => {
  const view = emptyView(true);
  assert.deepEqual(columnsOf(view)[0], 'node');
  assert.equal(columnsOf(emptyView()).includes('node'), false);
  applyAll(view, [info('web'), info('db')], 'alpha');
  applyAll(view, [info('web', 'STOPPED', 0)], 'beta');
  applyAll(view, [info('web'), info('db')], 'alpha'); // alpha refreshed: beta's row stays
  assert.deepEqual(visibleRows(view, 0).map((r) => `${r.node}/${r.name}/${r.statename}`), ['alpha/db/RUNNING', 'alpha/web/RUNNING', 'beta/web/STOPPED']);
  applyStats(view, stats('web', 3, 1), 'alpha');
  applyStats(view, stats('web', 1, 5), 'beta');
  assert.equal(view.rows.get('alpha\tweb')!.restarts, 2);
  assert.equal(view.rows.get('beta\tweb')!.restarts, 0);
  assert.deepEqual(view.pools.map((p) => `${p.node} ${p.queued}`), ['alpha 1', 'beta 5']);

  // the selection is node and name: moving down from alpha's web reaches beta's
  sortBy(view, 'node'); // key 1 over several servers: ascending first
  assert.deepEqual(view.sort, { column: 'node', descending: false });
  const rows = visibleRows(view, 0);
  view.selected = 'alpha\tweb';
  moveSelection(view, rows, 1);
  assert.deepEqual([selectedRow(view, rows)!.node, selectedRow(view, rows)!.name], ['beta', 'web']);
  applyInfo(view, info('web', 'STARTING', 101), 'beta');
  assert.equal(view.rows.get('alpha\tweb')!.statename, 'RUNNING');

  nodeDown(view, 'beta', 'no answer in 5 s');
  assert.deepEqual([...view.rows.keys()].sort(), ['alpha\tdb', 'alpha\tweb']);
  assert.deepEqual(view.pools.map((p) => p.node), ['alpha']);
  assert.equal(view.selected, null);
  const frame = renderFrame({ view, width: 120, height: 20, colour: false, nowMs: 5000, title: 't', logName: null, logLines: [], footer: '' });
  assert.match(frame[1]!, /^beta DOWN \(no answer in 5 s\)/);
  assert.match(frame[2]!, /^ {2}NODE↑\s+NAME\s+STATE/);
  assert.match(frame.find((l) => /alpha\s+web/.test(l))!, /^[> ] alpha {8}web\s+RUNNING/);
});
