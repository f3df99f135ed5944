/**
 * What a process waits for, as `update --dry-run` and the events stream say it (depends_on=).
 * A running migration (`:exited`) and a stopped db (`:ready`, startsecs=1); web is added to the
 * file: `update --dry-run` says web would start and wait for both, and why (the migration is
 * RUNNING, db will be started by the update, as start brings up what a process needs). `update`
 * then holds web: `tsupervisorctl events` (its default, everything) shows
 * TSUPERVISOR_DEPENDENCY_WAITING naming both, again naming the migration alone once db is
 * ready, then TSUPERVISOR_DEPENDENCY_RELEASED outcome:started just before web's STARTING;
 * `stop` of report, held for a program that stays STARTING, shows outcome:cancelled; needy,
 * whose dependency goes FATAL, outcome:failed with the reason. Two childutils listeners check the filtering: the one
 * subscribed to EVENT gets none of these (exactly what supervisord would send it), the one
 * naming TSUPERVISOR_DEPENDENCY gets them all. tsupervisor only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlClient } from '@tsupervisor/protocol';
import { fields, readRecorded, RECORDER, startStream, stopStream, untilSubscribed, waitRecorded } from './events-helpers.js';
import * as h from './harness.js';

const skip = h.defaultImpl !== 'tsupervisor' && 'tsupervisor extension';

const ADDED = `
[program:web]
command=sleep 1000
startsecs=0
depends_on=migrate:exited db

[program:never]
command=sleep 1000
autostart=false
; never ready while the test runs
startsecs=100

[program:report]
command=sleep 1000
depends_on=never

[program:broken]
command=sh -c 'exit 3'
autostart=false
startretries=0

[program:needy]
command=sleep 1000
depends_on=broken
`;

test('update --dry-run and the events stream say what a held process waits for; EVENT listeners never see it', { skip, timeout: 90_000 }, async () => {
  const d = await h.startDaemon(`
[program:migrate]
; a one-shot that finishes when the test says so
command=sh -c 'while [ ! -e @TMP@/go ]; do sleep 0.05; done; exit 0'
startsecs=0
autorestart=false

[program:db]
command=sleep 1000
startsecs=1
autostart=false

[eventlistener:all]
command=${RECORDER} @TMP@/all.jsonl
events=EVENT

[eventlistener:deps]
command=${RECORDER} @TMP@/deps.jsonl
events=TSUPERVISOR_DEPENDENCY
`);
  const rpc = await ControlClient.connect(join(d.dir, 'supervisor.sock'));
  const stream = startStream(d, []);
  try {
    await d.waitState('all', 'RUNNING');
    await d.waitState('deps', 'RUNNING');
    await d.waitState('migrate', 'RUNNING');
    await untilSubscribed(rpc, stream, (l) => l.startsWith('REMOTE_COMMUNICATION type:probe'));
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8') + ADDED);

    const dry = await d.ctl(['update', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(
      dry.stdout.trim(),
      [
        'broken: available',
        '  broken: add (new)',
        'needy: available',
        '  needy: start (new; waits for broken (ready): started by this update)',
        'never: available',
        '  never: add (new)',
        'report: available',
        '  report: start (new; waits for never (ready): started by this update)',
        'web: available',
        '  web: start (new; waits for migrate (exited): RUNNING, db (ready): started by this update)',
      ].join('\n'),
    );
    const plan = JSON.parse((await d.ctl(['update', '--dry-run', '--json'])).stdout);
    const web = plan.groups.find((g: { group: string }) => g.group === 'web');
    assert.deepEqual(web.processes[0].waitsFor, ['migrate (exited): RUNNING', 'db (ready): started by this update']);

    assert.equal((await d.ctl(['update'])).code, 0);
    const dep = (l: string) => l.startsWith('TSUPERVISOR_') && l.includes('processname:web ');
    await d.waitState('db', 'RUNNING');
    await h.waitFor('web waiting for the migration alone', () => stream.lines.filter(dep).length >= 2, 10_000);
    assert.equal((await d.status('web'))[0]!.state, 'STOPPED');
    writeFileSync(join(d.dir, 'go'), '');
    await d.waitState('web', 'RUNNING');
    await h.waitFor('web RUNNING in the stream', () => stream.lines.some((l) => l.startsWith('PROCESS_STATE_RUNNING processname:web')), 10_000);

    const webLines = stream.lines.filter((l) => dep(l) || l.includes('processname:web '));
    assert.deepEqual(webLines.slice(0, 4), [
      'TSUPERVISOR_DEPENDENCY_WAITING processname:web groupname:web waiting_for:migrate:exited,db:ready',
      'TSUPERVISOR_DEPENDENCY_WAITING processname:web groupname:web waiting_for:migrate:exited',
      'TSUPERVISOR_DEPENDENCY_RELEASED processname:web groupname:web outcome:started',
      'PROCESS_STATE_STARTING processname:web groupname:web from_state:STOPPED tries:0',
    ]);

    // report waits for never, which stays STARTING: stop cancels its start
    const report = (l: string) => l.startsWith('TSUPERVISOR_') && l.includes('processname:report ');
    assert.equal((await d.status('report'))[0]!.description, 'waiting for never (ready)');
    const stop = await d.ctl(['stop', 'report']);
    assert.equal(stop.code, 0, stop.stdout + stop.stderr);
    await h.waitFor('report released', () => stream.lines.filter(report).length >= 2, 10_000);
    assert.deepEqual(stream.lines.filter(report), [
      'TSUPERVISOR_DEPENDENCY_WAITING processname:report groupname:report waiting_for:never:ready',
      'TSUPERVISOR_DEPENDENCY_RELEASED processname:report groupname:report outcome:cancelled',
    ]);

    // needy waits for broken, which goes FATAL: released as failed, with the reason
    const needy = (l: string) => l.startsWith('TSUPERVISOR_') && l.includes('processname:needy ');
    await h.waitFor('needy released', () => stream.lines.filter(needy).length >= 2, 10_000);
    assert.deepEqual(stream.lines.filter(needy), [
      'TSUPERVISOR_DEPENDENCY_WAITING processname:needy groupname:needy waiting_for:broken:ready',
      'TSUPERVISOR_DEPENDENCY_RELEASED processname:needy groupname:needy outcome:failed data:"dependency broken is FATAL"',
    ]);
    assert.equal((await d.status('needy'))[0]!.state, 'STOPPED');

    const deps = await waitRecorded(d, join(d.dir, 'deps.jsonl'), 'the dependency events', (rs) => rs.length >= 7);
    const line = (r: { headers: Record<string, string>; payload: string }) => `${r.headers.eventname} ${r.payload}`;
    assert.deepEqual(deps.filter((r) => fields(r).processname === 'web').map(line), [
      'TSUPERVISOR_DEPENDENCY_WAITING processname:web groupname:web waiting_for:migrate:exited,db:ready',
      'TSUPERVISOR_DEPENDENCY_WAITING processname:web groupname:web waiting_for:migrate:exited',
      'TSUPERVISOR_DEPENDENCY_RELEASED processname:web groupname:web outcome:started',
    ]);
    assert.equal(deps.filter((r) => fields(r).processname === 'report').length, 2);
    const failed = deps.find((r) => fields(r).processname === 'needy' && r.headers.eventname === 'TSUPERVISOR_DEPENDENCY_RELEASED');
    assert.equal(failed?.payload, 'processname:needy groupname:needy outcome:failed\ndependency broken is FATAL');
    await waitRecorded(d, join(d.dir, 'all.jsonl'), "web's RUNNING", (rs) => rs.some((r) => r.headers.eventname === 'PROCESS_STATE_RUNNING' && fields(r).processname === 'web'));
    const all = readRecorded(join(d.dir, 'all.jsonl'));
    assert.deepEqual(all.filter((r) => r.headers.eventname!.startsWith('TSUPERVISOR_')), [], 'EVENT gets only supervisor types');
    assert.equal(await stopStream(stream), 0);
  } catch (e) {
    (e as Error).message += `\n--- stream\n${stream.lines.join('\n')}\n${stream.stderr()}\n${d.logs()}`;
    throw e;
  } finally {
    if (stream.child.exitCode === null) stream.child.kill('SIGKILL');
    rpc.close();
    await d.stop();
  }
});

test('update --dry-run says what a process it would start waits for by its ready= check, after its dependencies', { skip, timeout: 60_000 }, async () => {
  const d = await h.startDaemon(`
[program:db]
command=sleep 1000
autostart=false
`);
  try {
    writeFileSync(
      d.conf,
      readFileSync(d.conf, 'utf8') +
        `
[program:api]
command=sleep 1000
ready=notify
depends_on=db

[program:cache]
command=sleep 1000
ready=tcp:127.0.0.1:1
ready_timeout=5

[program:plain]
command=sleep 1000
`,
    );
    const dry = await d.ctl(['update', '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(
      dry.stdout.trim(),
      [
        'api: available',
        '  api: start (new; waits for db (ready): started by this update, ready=notify (up to 60 s))',
        'cache: available',
        '  cache: start (new; waits for ready=tcp:127.0.0.1:1 (up to 5 s))',
        'plain: available',
        '  plain: start (new)',
      ].join('\n'),
    );
    const plan = JSON.parse((await d.ctl(['update', '--dry-run', '--json'])).stdout);
    const waits = (g: string) => plan.groups.find((x: { group: string }) => x.group === g).processes[0].waitsFor;
    assert.deepEqual(waits('api'), ['db (ready): started by this update', 'ready=notify (up to 60 s)']);
    assert.deepEqual(waits('cache'), ['ready=tcp:127.0.0.1:1 (up to 5 s)']);
    assert.equal(waits('plain'), undefined);
  } catch (e) {
    (e as Error).message += `\n${d.logs()}`;
    throw e;
  } finally {
    await d.stop();
  }
});
