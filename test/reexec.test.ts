/**
 * `tsupervisorctl reexec` (issue 14): the daemon executes its code again in the same process and
 * every program runs on. Real daemon, real ctl, real children: pids unchanged, output not lost
 * nor doubled across three reexecs, states carried over, a child killed during the exec
 * restarted as autorestart says, a broken configuration refused with nothing changed, and the
 * control socket answering again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as h from './harness.js';
import { reexec } from './reexec-helpers.js';

const PROGRAMS = `
[program:a]
command=sleep 1000
startsecs=0

[program:b]
command=sleep 1000
startsecs=0
autostart=false

[program:c]
command=sleep 1000
startsecs=0
`;

test('reexec: same daemon pid, same program pids, a stopped program stays stopped, status answers', async () => {
  await h.withDaemon(PROGRAMS, async (d) => {
    const a = await d.waitState('a', 'RUNNING');
    await d.waitState('c', 'RUNNING');
    assert.equal((await d.ctl(['stop', 'c'])).code, 0);
    const beforeStatus = (await d.ctl(['status'])).stdout;
    const ms = await reexec(d);
    // the same process: the daemon re-executed in place
    assert.equal((await d.ctl(['pid'])).stdout.trim(), String(d.pid));
    const rows = await d.status();
    const byName = new Map(rows.map((r) => [r.name, r]));
    assert.equal(byName.get('a')?.state, 'RUNNING');
    assert.equal(byName.get('a')?.pid, a.pid, 'a keeps its pid');
    assert.ok(d.children().includes(a.pid!), 'a is still the daemon child');
    assert.equal(byName.get('b')?.description, 'Not started');
    assert.equal(byName.get('c')?.state, 'STOPPED', 'a stopped program stays stopped');
    // uptimes carry over: the status text is the same apart from the seconds ticking
    const strip = (s: string) => s.replace(/uptime \d+:\d\d:\d\d/g, 'uptime T');
    assert.equal(strip((await d.ctl(['status'])).stdout), strip(beforeStatus));
    assert.ok(ms < 10_000);
  });
});

test('reexec: a program writing numbers as fast as it can loses and doubles none across three reexecs (its log written on during each exec)', async () => {
  const conf = `
[program:count]
command=sh -c 'i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); echo $i; done; sleep 1000'
startsecs=0
stdout_logfile=@TMP@/count.log
stdout_logfile_maxbytes=0
`;
  await h.withDaemon(conf, async (d) => {
    const first = await d.waitState('count', 'RUNNING');
    const log = `${d.dir}/count.log`;
    for (let i = 0; i < 3; i++) await reexec(d);
    const after = await d.status('count');
    assert.equal(after[0]?.pid, first.pid);
    // nothing but its file needs its output: spliced, and written on by the pump during each exec
    const mainLog = readFileSync(`${d.dir}/supervisord.log`, 'utf8');
    assert.equal((mainLog.match(/re-executing .*\(1 processes kept, 1 spliced log written on meanwhile\)/g) ?? []).length, 3, mainLog);
    // let it finish (or stop it), then read every number back
    await h.waitFor('the count to finish', () => readFileSync(log, 'utf8').endsWith('\n2000000\n'), 60_000);
    const text = readFileSync(log, 'utf8');
    const nums = text.split('\n').filter(Boolean);
    const n = nums.length;
    assert.ok(n > 1000, `only ${n} lines`);
    for (let i = 0; i < n; i++) if (nums[i] !== String(i + 1)) assert.fail(`line ${i + 1} is ${JSON.stringify(nums[i])}, not ${i + 1}`);
  });
});

test('reexec: a child killed during the exec is reaped afterwards and restarted (autorestart)', async () => {
  const conf = `
[program:k]
command=sleep 1000
startsecs=0
autorestart=true
`;
  await h.withDaemon(conf, async (d) => {
    const k = await d.waitState('k', 'RUNNING');
    const r = await d.ctl(['reexec']);
    assert.equal(r.code, 0, r.stdout);
    // the answer comes just before the exec: the kill lands while the new image starts
    process.kill(k.pid!, 'SIGKILL');
    await h.waitFor('the new image', () => /re-executed with pid/.test(d.logs()), 10_000);
    await h.waitFor('k restarted', async () => {
      const row = (await d.status('k'))[0];
      return row?.state === 'RUNNING' && row.pid !== k.pid;
    }, 10_000);
    assert.match(d.logs(), /exited: k \(terminated by SIGKILL; not expected\)/);
  });
});

test('reexec: a broken configuration is refused and nothing changes', async () => {
  await h.withDaemon(PROGRAMS, async (d) => {
    const a = await d.waitState('a', 'RUNNING');
    const good = readFileSync(d.conf, 'utf8');
    writeFileSync(d.conf, `${good}\n[program:broken]\n`);
    const r = await d.ctl(['reexec']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /^ERROR: not re-executed: .*broken/m);
    writeFileSync(d.conf, good);
    assert.equal((await d.status('a'))[0]?.pid, a.pid);
    assert.doesNotMatch(d.logs(), /re-execut/);
  });
});

test('reexec applies a changed [supervisord] loglevel and [unix_http_server] chmod; a changed program is restarted, one changed in place only (priority, startretries) keeps its pid', async () => {
  const conf = `
[program:same]
command=sleep 1000
startsecs=0

[program:changed]
command=sleep 1000
startsecs=0
`;
  await h.withDaemon(
    conf,
    async (d) => {
      const same = await d.waitState('same', 'RUNNING');
      const changed = await d.waitState('changed', 'RUNNING');
      const sock = `${d.dir}/supervisor.sock`;
      assert.equal(statSync(sock).mode & 0o777, 0o700);
      const ino = statSync(sock).ino;
      const text = readFileSync(d.conf, 'utf8');
      writeFileSync(
        d.conf,
        text
          .replace('loglevel=info', 'loglevel=debug')
          .replace(/^file=(.*supervisor\.sock)$/m, 'file=$1\nchmod=0770')
          .replace(/\[program:changed\]\ncommand=sleep 1000/, '[program:changed]\ncommand=sleep 1001')
          // a key only the supervisor reads applies in place, as update would
          .replace('[program:same]\n', '[program:same]\npriority=5\nstartretries=7\n'),
      );
      await reexec(d);
      assert.equal(statSync(sock).mode & 0o777, 0o770, 'the new chmod');
      assert.equal(statSync(sock).ino, ino, 'the same socket');
      assert.equal((await d.status('same'))[0]?.pid, same.pid, 'a program changed in place only keeps running');
      const row = await h.waitFor('changed restarted', async () => {
        const r = (await d.status('changed'))[0];
        return r?.state === 'RUNNING' && r.pid !== changed.pid ? r : null;
      }, 10_000);
      assert.ok(row);
      const after = d.logs().slice(d.logs().lastIndexOf('re-executed with pid'));
      assert.match(after, / DEBG /, 'loglevel=debug in force');
    },
    { supervisordExtra: 'loglevel=info' },
  );
});

test('reexec: a program removed from the configuration is stopped as update stops it: its stopsignal, its output logged until it exits, SIGKILL after its stopwaitsecs', async () => {
  const conf = `
[program:kept]
command=sleep 1000
startsecs=0

[program:polite]
command=sh -c 'trap "echo bye-on-int; exit 0" INT; echo hello; while :; do sleep 0.05; done'
startsecs=0
stopsignal=INT
stdout_logfile=%(here)s/polite.log

[program:stubborn]
command=sh -c 'trap "echo ignoring-term" TERM; while :; do sleep 0.05; done'
startsecs=0
stopwaitsecs=1
stdout_logfile=%(here)s/stubborn.log
`;
  await h.withDaemon(conf, async (d) => {
    const kept = await d.waitState('kept', 'RUNNING');
    const polite = await d.waitState('polite', 'RUNNING');
    const stubborn = await d.waitState('stubborn', 'RUNNING');
    await h.waitFor('polite to say hello', () => readFileSync(`${d.dir}/polite.log`, 'utf8').includes('hello'), 5_000);
    writeFileSync(d.conf, readFileSync(d.conf, 'utf8').replace(/\[program:polite\][^[]*/, '').replace(/\[program:stubborn\][^[]*$/, ''));
    await reexec(d);
    await h.waitFor('both removed programs gone', () => !h.isAlive(polite.pid!) && !h.isAlive(stubborn.pid!), 10_000);
    const log = d.logs().slice(d.logs().lastIndexOf('re-executed with pid'));
    // its stopsignal (INT), not a plain SIGTERM: the trap ran and its output reached its log
    assert.match(log, /stopped: polite \(exit status 0\)/);
    assert.match(readFileSync(`${d.dir}/polite.log`, 'utf8'), /bye-on-int/);
    // TERM ignored: SIGKILL after stopwaitsecs, as supervisor says it
    assert.match(log, /killing 'stubborn' \(\d+\) with SIGKILL/);
    assert.match(log, /stopped: stubborn \(terminated by SIGKILL\)/);
    assert.match(readFileSync(`${d.dir}/stubborn.log`, 'utf8'), /ignoring-term/);
    // neither is listed any more; the kept one runs on
    assert.deepEqual((await d.status()).map((r) => `${r.name} ${r.state} ${r.pid}`), [`kept RUNNING ${kept.pid}`]);
  });
});

test('the daemon (its launcher) and reexec\'s next image start node without NODE_EXTRA_CA_CERTS (node reads the certificates at its start; the daemon makes no TLS connection) and give it back to the programs they start', async () => {
  const conf = `
[program:envp]
command=sh -c 'echo "ca=$NODE_EXTRA_CA_CERTS"; exec sleep 1000'
startsecs=0
stdout_logfile=%(here)s/envp.log
`;
  await h.withDaemon(
    conf,
    async (d) => {
      const first = await d.waitState('envp', 'RUNNING');
      // ps and pgrep name it as the daemon, not node -e: before a reexec and after
      const named = () => {
        assert.match(readFileSync(`/proc/${d.pid}/cmdline`, 'utf8'), /^tsupervisord -c \S+supervisord\.conf\0*$/);
        assert.equal(readFileSync(`/proc/${d.pid}/comm`, 'utf8'), 'tsupervisord -c\n');
      };
      named();
      // started through bin/tsupervisord's launcher: node never saw it either
      const started = readFileSync(`/proc/${d.pid}/environ`, 'utf8').split('\0');
      assert.ok(!started.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'not in the daemon\'s start environment');
      await reexec(d);
      // the image running now was started without it …
      const environ = readFileSync(`/proc/${d.pid}/environ`, 'utf8').split('\0');
      assert.ok(!environ.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'not in the new image\'s start environment');
      named();
      // … and a program it starts has it, as before the reexec
      assert.equal((await d.ctl(['restart', 'envp'])).code, 0);
      await h.waitFor('envp restarted', async () => ((await d.status('envp'))[0]?.pid ?? first.pid) !== first.pid, 5_000);
      await h.waitFor('two lines', () => readFileSync(`${d.dir}/envp.log`, 'utf8').split('\n').filter(Boolean).length === 2, 5_000);
      assert.deepEqual(readFileSync(`${d.dir}/envp.log`, 'utf8').split('\n').filter(Boolean), ['ca=/etc/ssl/certs/ca-certificates.crt', 'ca=/etc/ssl/certs/ca-certificates.crt']);
    },
    { env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } },
  );
});

test('reexec: a program with AUTO logs writes on in the same files (tail shows what it wrote before and after; no new files)', async () => {
  const conf = `
[program:auto]
command=sh -c 'echo before; while [ ! -e go ]; do sleep 0.05; done; echo after; exec sleep 1000'
startsecs=0
directory=%(here)s

[group:g]
programs=grouped

[program:grouped]
command=sh -c 'echo grouped-before; while [ ! -e go ]; do sleep 0.05; done; echo grouped-after; exec sleep 1000'
startsecs=0
directory=%(here)s
`;
  await h.withDaemon(conf, async (d) => {
    await d.waitState('auto', 'RUNNING');
    await d.waitState('g:grouped', 'RUNNING');
    await h.waitFor('the first lines', async () => /before/.test((await d.ctl(['tail', 'auto'])).stdout) && /grouped-before/.test((await d.ctl(['tail', 'g:grouped'])).stdout), 5_000);
    const autoFiles = () => readdirSync(d.dir).filter((f) => /---supervisor-\w{8}\.log$/.test(f)).sort();
    const before = autoFiles();
    assert.equal(before.length, 4);
    await reexec(d);
    writeFileSync(`${d.dir}/go`, '');
    await h.waitFor('the lines after', async () => /after/.test((await d.ctl(['tail', 'auto'])).stdout) && /grouped-after/.test((await d.ctl(['tail', 'g:grouped'])).stdout), 5_000);
    assert.equal((await d.ctl(['tail', 'auto'])).stdout.trim(), 'before\nafter');
    assert.equal((await d.ctl(['tail', 'g:grouped'])).stdout.trim(), 'grouped-before\ngrouped-after');
    assert.deepEqual(autoFiles(), before, 'the same AUTO files, no new ones');
  });
});
