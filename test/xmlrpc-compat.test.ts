/**
 * XML-RPC answers where supervisor's shape differs from the table's, each asserting what
 * supervisord 4.2.5 answers (recorded with xmlrpc.client over [inet_http_server]):
 * startProcess / stopProcess / signalProcess of `group:*` or `group:` answer the group method's
 * array (BAD_NAME with the namespec for an unknown group); getAllConfigInfo has no
 * `autorestart` or `stopasgroup` and says 'none' for a stderr log redirected to stdout; a read
 * of a log the process does not have is a bare NO_FILE. After reloadConfig, getAllConfigInfo
 * says 'auto' for the AUTO logs of every group not added again since (supervisord answers from
 * the configuration it read last, whose AUTO names are filled in only when a group is added from
 * it); tsupervisorctl's JSON-RPC answer keeps the paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const PYTHON = '/usr/bin/python3';

const PROBE = `
import json, sys, xmlrpc.client
p = xmlrpc.client.ServerProxy(sys.argv[1]).supervisor
out = {}
def t(key, f, *a):
    try: out[key] = {'ok': f(*a)}
    except xmlrpc.client.Fault as e: out[key] = {'fault': [e.faultCode, e.faultString]}
t('start_star', p.startProcess, 'g:*')
t('stop_bare', p.stopProcess, 'g:')
t('start_bare', p.startProcess, 'g:', True)
t('signal_star', p.signalProcess, 'g:*', 'HUP')
t('start_unknown', p.startProcess, 'nog:*')
t('stop_unknown', p.stopProcess, 'nog:')
t('signal_bad', p.signalProcess, 'g:*', 'NOPE')
t('stderr_none', p.readProcessStderrLog, 'b', 0, 10)
t('config', p.getAllConfigInfo)
print(json.dumps(out))
`;

test('XML-RPC answers as supervisord: group:* to startProcess/stopProcess/signalProcess, getAllConfigInfo keys, NO_FILE', { skip: !existsSync(PYTHON) && `${PYTHON} is not installed`, timeout: 90_000 }, async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}

[program:a]
command=sleep 1000
startsecs=0

[program:c]
command=sleep 1000
startsecs=0
autostart=false

[group:g]
programs=a,c

[program:b]
command=sleep 1000
startsecs=0
redirect_stderr=true
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('g:a', 'RUNNING');
    const r = spawnSync(PYTHON, ['-c', PROBE, `http://127.0.0.1:${port}/RPC2`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, { ok?: unknown; fault?: [number, string] }>;
    const ok = (name: string) => ({ name, group: 'g', status: 80, description: 'OK' });
    assert.deepEqual(out['start_star']!.ok, [ok('c')]);
    assert.deepEqual(out['stop_bare']!.ok, [ok('a'), ok('c')]);
    assert.deepEqual(out['start_bare']!.ok, [ok('a'), ok('c')]);
    assert.deepEqual(out['signal_star']!.ok, [ok('a'), ok('c')]);
    assert.deepEqual(out['start_unknown']!.fault, [10, 'BAD_NAME: nog:*']);
    assert.deepEqual(out['stop_unknown']!.fault, [10, 'BAD_NAME: nog:']);
    const badSignal = (name: string) => ({ name, group: 'g', status: 11, description: 'BAD_SIGNAL: NOPE' });
    assert.deepEqual(out['signal_bad']!.ok, [badSignal('a'), badSignal('c')]);
    assert.deepEqual(out['stderr_none']!.fault, [20, 'NO_FILE']);
    const config = out['config']!.ok as Array<Record<string, unknown>>;
    const b = config.find((c) => c['name'] === 'b')!;
    assert.equal(b['stderr_logfile'], 'none');
    assert.equal(b['redirect_stderr'], true);
    for (const info of config) {
      assert.ok(!('autorestart' in info) && !('stopasgroup' in info), JSON.stringify(info));
      assert.equal(Object.keys(info).length, 29, Object.keys(info).join(' '));
    }
    // tsupervisorctl's JSON-RPC answers are unchanged: startProcess of a group is true
    assert.equal((await d.ctl(['stop', 'g:*'])).code, 0);
  });
});

const RELOAD_PROBE = `
import json, sys, xmlrpc.client
p = xmlrpc.client.ServerProxy(sys.argv[1]).supervisor
logs = lambda: {i['name']: [i['stdout_logfile'], i['stderr_logfile']] for i in p.getAllConfigInfo()}
before = logs()
with open(sys.argv[2], 'a') as f: f.write('[program:new]\\ncommand=sleep 1000\\nautostart=false\\n')
reload = p.reloadConfig()
after = logs()
p.addProcessGroup('new')
print(json.dumps({'before': before, 'reload': reload, 'after': after, 'added': logs()}))
`;

test('XML-RPC getAllConfigInfo after reloadConfig: AUTO logs read "auto" until their group is added again, as supervisord', { skip: !existsSync(PYTHON) && `${PYTHON} is not installed`, timeout: 90_000 }, async () => {
  const port = await h.freePort();
  const conf = `
[inet_http_server]
port=127.0.0.1:${port}

[program:a]
command=sleep 1000
startsecs=0

[program:b]
command=sleep 1000
startsecs=0
stdout_logfile=%(here)s/b.out

[program:n]
command=sleep 1000
startsecs=0
stdout_logfile=NONE
redirect_stderr=true
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('a', 'RUNNING');
    const r = spawnSync(PYTHON, ['-c', RELOAD_PROBE, `http://127.0.0.1:${port}/RPC2`, d.conf], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, Record<string, [string, string]>> & { reload: unknown };
    const auto = (name: string, channel: string) => new RegExp(`^${d.dir}/${name}-${channel}---supervisor-[A-Za-z0-9_]+\\.log$`);
    const bOut = join(d.dir, 'b.out');
    const [aOut, aErr] = out['before']!['a']!;
    assert.match(aOut, auto('a', 'stdout'));
    assert.match(aErr, auto('a', 'stderr'));
    assert.deepEqual(out['before']!['b']![0], bOut);
    assert.match(out['before']!['b']![1], auto('b', 'stderr'));
    assert.deepEqual(out['before']!['n'], ['none', 'none']);
    assert.deepEqual(out.reload, [[['new'], [], []]]);
    // Unchanged running groups, and the one not added yet: their AUTO logs are 'auto' now.
    assert.deepEqual(out['after'], { a: ['auto', 'auto'], b: [bOut, 'auto'], n: ['none', 'none'], new: ['auto', 'auto'] });
    // Adding `new` fills its names in; the others stay 'auto'.
    assert.deepEqual(out['added']!['a'], ['auto', 'auto']);
    assert.match(out['added']!['new']![0], auto('new', 'stdout'));
    assert.match(out['added']!['new']![1], auto('new', 'stderr'));
    if (d.impl === 'tsupervisor') {
      // tsupervisorctl's JSON-RPC answer is the table's: the live paths, as before the reread.
      const c = await h.RawConnection.open(join(d.dir, 'supervisor.sock'));
      try {
        const infos = (await c.call('supervisor.getAllConfigInfo')).result as Array<Record<string, unknown>>;
        const a = infos.find((i) => i['name'] === 'a')!;
        assert.deepEqual([a['stdout_logfile'], a['stderr_logfile']], [aOut, aErr]);
      } finally {
        c.destroy();
      }
    }
  });
});
