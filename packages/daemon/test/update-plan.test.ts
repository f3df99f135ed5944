// The minimal-diff update plan (update/plan.ts): configs loaded from real conf text, compared
// as the daemon compares its running groups with a reread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupPlan, UpdatePlan } from '@tsupervisor/protocol';
import type { Config } from '../src/config/types.js';
import { planUpdate, type LiveGroup } from '../src/update/plan.js';
import { changedProcessKeys, needsRestart } from '../src/update/keys.js';
import { loadBody } from './fixtures/config/helpers.js';

const fcgi = (extra = '', numprocs = 6) => `
[fcgi-program:web]
socket=tcp://127.0.0.1:9001
command=/usr/bin/app
process_name=%(program_name)s_%(process_num)02d
numprocs=${numprocs}
${extra}
`;

function conf(body: string): Config {
  return loadBody(body).config;
}

/** Every process of `config` running unless listed in `stopped`. */
function live(config: Config, stopped: string[] = []): LiveGroup[] {
  return config.groups.map((g) => ({
    config: g,
    running: new Set(g.processes.map((p) => p.name).filter((n) => !stopped.includes(n))),
  }));
}

function group(plan: UpdatePlan, name: string): GroupPlan {
  const g = plan.groups.find((x) => x.group === name);
  assert.ok(g, `no plan for ${name}: ${JSON.stringify(plan)}`);
  return g;
}

const actions = (g: GroupPlan) => g.processes.map((p) => `${p.name}=${p.action}`);

test('no change: empty plan, reread result empty', () => {
  const a = conf(fcgi());
  const plan = planUpdate(live(a), conf(fcgi()).groups);
  assert.deepEqual(plan, { added: [], changed: [], removed: [], groups: [] });
});

test('numprocs 6 → 8: the six keep running, only the two new ones start', () => {
  const plan = planUpdate(live(conf(fcgi())), conf(fcgi('', 8)).groups);
  assert.deepEqual(plan.changed, ['web']);
  const g = group(plan, 'web');
  assert.equal(g.change, 'changed');
  assert.deepEqual(actions(g), [
    'web_00=keep', 'web_01=keep', 'web_02=keep', 'web_03=keep', 'web_04=keep', 'web_05=keep', 'web_06=start', 'web_07=start',
  ]);
  for (const p of g.processes) assert.deepEqual(p.changed, []);
  assert.deepEqual(g.socket, { action: 'keep', from: 'tcp://127.0.0.1:9001', to: 'tcp://127.0.0.1:9001', changed: [] });
});

test('numprocs 8 → 3: only the surplus stops, highest numbers first; stopped ones are just removed', () => {
  const a = conf(fcgi('', 8));
  const plan = planUpdate(live(a, ['web_06']), conf(fcgi('', 3)).groups);
  assert.deepEqual(actions(group(plan, 'web')), [
    'web_00=keep', 'web_01=keep', 'web_02=keep', 'web_07=stop', 'web_06=remove', 'web_05=stop', 'web_04=stop', 'web_03=stop',
  ]);
});

test('a changed command restarts only that program of a [group:x]; autostart=false new process is added', () => {
  const body = (cmd: string, extra = '') => `
[group:site]
programs=api,worker${extra}
[program:api]
command=${cmd}
[program:worker]
command=/usr/bin/worker
[program:cron]
command=/usr/bin/cron
autostart=false
`;
  const plan = planUpdate(live(conf(body('/usr/bin/api')), ['cron']), conf(body('/usr/bin/api --v2', ',cron')).groups);
  const g = group(plan, 'site');
  assert.deepEqual(actions(g), ['api=restart', 'worker=keep', 'cron=keep']);
  assert.deepEqual(g.processes[0]!.changed, ['command']);
  assert.equal(g.processes[2]!.fromGroup, 'cron');
  assert.deepEqual(plan.removed, ['cron'], 'cron moved into the group: its own group disappears');
  assert.deepEqual(actions(group(plan, 'cron')), []);
  const added = planUpdate(live(conf(body('/usr/bin/api'))), conf(body('/usr/bin/api') + '[program:new]\ncommand=/bin/n\nautostart=false\n').groups);
  assert.deepEqual(actions(group(added, 'new')), ['new=add']);
});

test('environment and log changes restart; supervision-only keys are applied in place', () => {
  const a = conf(fcgi());
  const env = group(planUpdate(live(a), conf(fcgi('environment=A="1"')).groups), 'web');
  assert.ok(env.processes.every((p) => p.action === 'restart' && p.changed.join() === 'environment'));
  const logs = group(planUpdate(live(a), conf(fcgi('stdout_logfile_maxbytes=1MB')).groups), 'web');
  assert.ok(logs.processes.every((p) => p.action === 'restart' && p.changed.join() === 'stdout_logfile_maxbytes'));
  const soft = group(planUpdate(live(a), conf(fcgi('stopwaitsecs=3\nstartsecs=2\npriority=5')).groups), 'web');
  assert.ok(soft.processes.every((p) => p.action === 'keep'), JSON.stringify(soft));
  assert.deepEqual(soft.processes[0]!.changed, ['priority', 'startsecs', 'stopwaitsecs']);
  // A stopped process with changed settings starts (autostart), as supervisor's update would start it.
  const stopped = group(planUpdate(live(a, ['web_01']), conf(fcgi('stopwaitsecs=3')).groups), 'web');
  assert.equal(stopped.processes[1]!.action, 'start');
  // …and so does an unchanged stopped one of a changed group: supervisor rebuilds the group.
  const other = group(planUpdate(live(a, ['web_01']), conf(fcgi('', 7)).groups), 'web');
  assert.equal(other.processes[1]!.action, 'start');
  assert.equal(other.processes[0]!.action, 'keep');
});

test('a changed running process with autostart=false is stopped (supervisor leaves it stopped)', () => {
  const body = (secs: number) => `[program:job]\ncommand=/bin/job\nautostart=false\nstopwaitsecs=${secs}\n`;
  const running = group(planUpdate(live(conf(body(1))), conf(body(2)).groups), 'job');
  assert.deepEqual(running.processes, [{ name: 'job', group: 'job', action: 'stop', changed: ['stopwaitsecs'] }]);
  const stopped = group(planUpdate(live(conf(body(1)), ['job']), conf(body(2)).groups), 'job');
  assert.equal(stopped.processes[0]!.action, 'keep');
});

test('socket_backlog changes the live socket; workers keep running', () => {
  const g = group(planUpdate(live(conf(fcgi())), conf(fcgi('socket_backlog=64')).groups), 'web');
  assert.deepEqual(g.changed, ['socket_backlog']);
  assert.deepEqual(g.socket?.action, 'update');
  assert.ok(g.processes.every((p) => p.action === 'keep' && p.changed.length === 0));
});

test('socket_mode and socket_owner of a unix socket are applied in place', () => {
  const unix = (extra: string) => `
[fcgi-program:web]
socket=unix:///run/web.sock
command=/usr/bin/app
${extra}
`;
  const g = group(planUpdate(live(conf(unix('socket_mode=0700'))), conf(unix('socket_mode=0660\nsocket_owner=www-data')).groups), 'web');
  assert.deepEqual(g.socket, { action: 'update', from: 'unix:///run/web.sock', to: 'unix:///run/web.sock', changed: ['socket_mode', 'socket_owner'] });
  assert.deepEqual(actions(g), ['web=keep']);
});

test('a new socket address rebinds and restarts every worker onto it', () => {
  const g = group(planUpdate(live(conf(fcgi('', 2))), conf(fcgi('', 2).replace(':9001', ':9002')).groups), 'web');
  assert.deepEqual(g.socket, { action: 'rebind', from: 'tcp://127.0.0.1:9001', to: 'tcp://127.0.0.1:9002', changed: ['socket'] });
  assert.deepEqual(actions(g), ['web_00=restart', 'web_01=restart']);
  assert.deepEqual(g.processes[0]!.changed, ['socket']);
  const pass = group(planUpdate(live(conf(fcgi('', 1))), conf(fcgi('socket_pass=listen_fds', 1)).groups), 'web');
  assert.deepEqual(pass.socket?.action, 'keep');
  assert.deepEqual(pass.processes.map((p) => `${p.action}:${p.changed}`), ['restart:socket_pass']);
});

test('programs moving into a [group:x] keep running; their old groups disappear', () => {
  const before = conf('[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\n');
  const after = conf('[group:x]\nprograms=a,b\npriority=5\n[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\n');
  const plan = planUpdate(live(before), after.groups);
  assert.deepEqual([plan.added, plan.changed, plan.removed], [['x'], [], ['a', 'b']]);
  assert.deepEqual(plan.groups.map((g) => `${g.group}:${g.change}`), ['a:removed', 'b:removed', 'x:added']);
  assert.deepEqual(group(plan, 'a').processes, []);
  assert.deepEqual(group(plan, 'x').processes, [
    { name: 'a', group: 'x', fromGroup: 'a', action: 'keep', changed: [] },
    { name: 'b', group: 'x', fromGroup: 'b', action: 'keep', changed: [] },
  ]);
  // And back out again, one of them with a new command.
  const back = conf('[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b2\n');
  const out = planUpdate(live(after), back.groups);
  assert.deepEqual(group(out, 'a').processes, [{ name: 'a', group: 'a', fromGroup: 'x', action: 'keep', changed: [] }]);
  assert.deepEqual(group(out, 'b').processes, [{ name: 'b', group: 'b', fromGroup: 'x', action: 'restart', changed: ['command'] }]);
});

test('a program listed in two [group:x] sections: one process per group, each moved or started once', () => {
  const before = conf('[program:b]\ncommand=/bin/b\n[program:c]\ncommand=/bin/c\n[group:k]\nprograms=c\n');
  const twice = conf('[program:b]\ncommand=/bin/b\n[program:c]\ncommand=/bin/c\n[group:k]\nprograms=c\n[group:g]\nprograms=b\n[group:h]\nprograms=b\n[group:m]\nprograms=c\n');
  const plan = planUpdate(live(before), twice.groups);
  assert.deepEqual([plan.added, plan.changed, plan.removed], [['g', 'h', 'm'], [], ['b']]);
  // b moves into g (the first place, config order); h gets its own new process
  assert.deepEqual(group(plan, 'g').processes, [{ name: 'b', group: 'g', fromGroup: 'b', action: 'keep', changed: [] }]);
  assert.deepEqual(group(plan, 'h').processes, [{ name: 'b', group: 'h', action: 'start', changed: [] }]);
  // k:c stays where it is (k is unchanged); m:c is a new process
  assert.deepEqual(group(plan, 'm').processes, [{ name: 'c', group: 'm', action: 'start', changed: [] }]);
  // dropping g leaves h's process alone, and does not move g's into h
  const once = conf('[program:b]\ncommand=/bin/b\n[program:c]\ncommand=/bin/c\n[group:k]\nprograms=c\n[group:h]\nprograms=b\n[group:m]\nprograms=c\n');
  const drop = planUpdate(live(twice), once.groups);
  assert.deepEqual(drop.groups.map((g) => `${g.group}:${g.change}`), ['g:removed']);
  assert.deepEqual(actions(group(drop, 'g')), ['b=stop']);
  // both groups changed at once: each keeps its own process, neither takes the other's
  const both = conf('[program:b]\ncommand=/bin/b\n[group:g]\nprograms=b\npriority=5\n[group:h]\nprograms=b\npriority=6\n');
  const swap = planUpdate(live(conf('[program:b]\ncommand=/bin/b\n[group:g]\nprograms=b\n[group:h]\nprograms=b\n')), both.groups);
  assert.deepEqual(group(swap, 'g').processes, [{ name: 'b', group: 'g', action: 'keep', changed: [] }]);
  assert.deepEqual(group(swap, 'h').processes, [{ name: 'b', group: 'h', action: 'keep', changed: [] }]);
});

test('update <names> plans only those groups; moves need both ends in scope', () => {
  const before = conf('[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\n');
  const after = conf('[program:a]\ncommand=/bin/a2\n[program:b]\ncommand=/bin/b2\n[program:c]\ncommand=/bin/c\n');
  const plan = planUpdate(live(before), after.groups, new Set(['b', 'c']));
  assert.deepEqual([plan.added, plan.changed, plan.removed], [['c'], ['a', 'b'], []], 'reread result is for every group');
  assert.deepEqual(plan.groups.map((g) => g.group), ['b', 'c']);
});

test('removed groups stop running processes, removed fcgi groups close their socket', () => {
  const plan = planUpdate(live(conf(fcgi('', 2)), ['web_00']), conf('').groups);
  const g = group(plan, 'web');
  assert.deepEqual(actions(g), ['web_01=stop', 'web_00=remove']);
  assert.equal(g.socket?.action, 'close');
});

test('keys: ini names, logs per sub-key; only supervision keys are live', () => {
  const a = conf(fcgi('', 1)).groups[0]!.processes[0]!;
  const b = conf(fcgi('user=nobody\nstderr_logfile=/tmp/x.log\numask=022\nautorestart=false', 1)).groups[0]!.processes[0]!;
  assert.deepEqual(changedProcessKeys(a, b), ['autorestart', 'user', 'stderr_logfile', 'umask']);
  assert.equal(needsRestart(['autorestart']), false);
  assert.equal(needsRestart(['autorestart', 'umask']), true);
});
