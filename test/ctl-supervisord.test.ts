/**
 * tsupervisorctl driving Debian's supervisord 4.2.5 itself (over XML-RPC, on its unix socket and
 * on its [inet_http_server] with credentials): every command's output and exit status must be
 * what /usr/bin/supervisorctl prints against the same daemon. A state-changing command runs
 * from the same state for both (the setup commands, by supervisorctl, before each run).
 * Skipped when supervisord is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const TSCTL = join(h.repoRoot, 'node_modules', '.bin', 'tsupervisorctl');
const SKIP = !existsSync('/usr/bin/supervisord') && 'no supervisord';

const conf = (port: number) => `
[inet_http_server]
port=127.0.0.1:${port}
username=fleet
password=s3cret

[program:a]
command=sleep 1000
startsecs=0

[program:fixed]
command=sh -c 'echo one; echo two >&2; echo three; exec sleep 1000'
startsecs=0

[program:quick]
; not started by default, and long-lived once started: a program that exits soon makes
; supervisord's own answers a race (\`start\` of \`true\` says started or abnormal termination;
; \`stop all\` lists it or not, as it has exited yet or not), so two runs would differ
command=sleep 1000
startsecs=0
autorestart=false
autostart=false

[group:g]
programs=b,c

[program:b]
command=sleep 1000
startsecs=0

[program:c]
command=sleep 1000
startsecs=0
`;

interface Case {
  /** The command words. */
  cmd: string[];
  /** supervisorctl commands run before each of the two runs (same state for both). */
  setup?: string[][];
  /** supervisord answers `all` and `g:*` in the order its processes happen to stop: compare sorted lines. */
  unordered?: boolean;
}

const READS: Case[] = [
  { cmd: ['status'] },
  { cmd: ['status', 'a'] },
  { cmd: ['status', 'g:*', 'fixed'] },
  { cmd: ['status', 'nosuch'] },
  { cmd: ['status', 'g:nosuch'] },
  { cmd: ['pid'] },
  { cmd: ['pid', 'a'] },
  { cmd: ['pid', 'nosuch'] },
  { cmd: ['avail'] },
  { cmd: ['version'] },
  { cmd: ['tail', 'fixed'] },
  { cmd: ['tail', '-4', 'fixed'] },
  { cmd: ['tail', 'fixed', 'stderr'] },
  { cmd: ['tail', 'nosuch'] },
  { cmd: ['reread'] },
  { cmd: ['help'] },
];

const WRITES: Case[] = [
  { cmd: ['stop', 'g:*'], setup: [['start', 'all']], unordered: true },
  { cmd: ['start', 'g:*'], setup: [['stop', 'g:*']] },
  { cmd: ['stop', 'all'], setup: [['start', 'all']], unordered: true },
  { cmd: ['start', 'all'], setup: [['stop', 'all']], unordered: true },
  { cmd: ['start', 'quick'], setup: [['start', 'a'], ['stop', 'quick']] },
  { cmd: ['start', 'nosuch', 'a'], setup: [['stop', 'a']] },
  { cmd: ['stop', 'g:nosuch', 'a'], setup: [['start', 'a']] },
  { cmd: ['restart', 'a', 'g:*'], setup: [['start', 'all']], unordered: true },
  { cmd: ['signal', 'HUP', 'a'], setup: [['start', 'a']] },
  { cmd: ['signal', 'USR1', 'g:*'], setup: [['start', 'g:*']] },
  { cmd: ['signal', 'BOGUS', 'a'] },
  { cmd: ['signal', 'HUP', 'a'], setup: [['stop', 'a']] },
  { cmd: ['clear', 'fixed'] },
  { cmd: ['clear', 'all'], unordered: true },
];

/** What may differ between two runs a second apart: uptimes and pids of restarted processes. */
function normalise(s: string): string {
  return s.replace(/uptime \d+:\d\d:\d\d/g, 'uptime T').replace(/pid \d+/g, 'pid N').replace(/^\d+$/gm, 'N');
}

function run(cmd: string, args: string[]): Promise<h.CtlResult> {
  return h.runCmd(cmd, args, { timeoutMs: 20_000, env: { ...process.env, NO_COLOR: '1' } });
}

async function compare(d: h.Daemon, how: string[], c: Case): Promise<void> {
  const once = async (ctl: string) => {
    for (const s of c.setup ?? []) await run('supervisorctl', ['-c', d.conf, ...s]);
    const r = await run(ctl, [...how, ...c.cmd]);
    const out = c.unordered ? r.stdout.split('\n').sort().join('\n') : r.stdout;
    return { out: normalise(out), err: normalise(r.stderr), code: r.code };
  };
  const ours = await once(TSCTL);
  const theirs = await once('supervisorctl');
  assert.deepEqual(ours, theirs, `${how.join(' ')} ${c.cmd.join(' ')}`);
}

test('tsupervisorctl against supervisord: the same output as supervisorctl, unix socket and TCP with credentials', { skip: SKIP }, async () => {
  const port = await h.freePort();
  await h.withDaemon(conf(port), async (d) => {
    await d.waitState('fixed', 'RUNNING');
    const unix = ['-c', d.conf];
    const tcp = ['-s', `http://127.0.0.1:${port}`, '-u', 'fleet', '-p', 's3cret'];
    for (const c of READS) await compare(d, unix, c);
    for (const c of READS.slice(0, 4)) await compare(d, tcp, c);
    for (const c of WRITES) await compare(d, unix, c);
    for (const c of WRITES.slice(0, 3)) await compare(d, tcp, c);
    // wrong or no credentials: the re-login notice and the 401 line
    await compare(d, ['-s', `http://127.0.0.1:${port}`], { cmd: ['status'] });
    await compare(d, ['-s', `http://127.0.0.1:${port}`, '-u', 'fleet', '-p', 'wrong'], { cmd: ['status'] });
  }, { daemonCmd: 'supervisord' });
});

test('tsupervisorctl against supervisord: reread and update as supervisorctl does them', { skip: SKIP }, async () => {
  const port = await h.freePort();
  await h.withDaemon(conf(port), async (d) => {
    const base = readFileSync(d.conf, 'utf8');
    const changed = base.replace('[program:a]\ncommand=sleep 1000', '[program:a]\ncommand=sleep 999') + '\n[program:x]\ncommand=sleep 1000\n';
    const withoutC = (s: string) => s.replace('[group:g]\nprograms=b,c', '[group:g]\nprograms=b').replace(/\[program:c\][^[]*/, '');
    // each run starts from the base config applied, then the changed file written
    const reset = async (text: string) => {
      writeFileSync(d.conf, base);
      await run('supervisorctl', ['-c', d.conf, 'update']);
      writeFileSync(d.conf, text);
    };
    for (const [text, cmd] of [
      [changed, ['reread']],
      [changed, ['update']],
      [withoutC(changed), ['update']],
      [changed, ['update', 'x', 'nosuch']],
      [changed, ['update', 'all']],
    ] as const) {
      const once = async (ctl: string) => {
        await reset(text);
        const r = await run(ctl, ['-c', d.conf, ...cmd]);
        return { out: r.stdout, err: r.stderr, code: r.code };
      };
      assert.deepEqual(await once(TSCTL), await once('supervisorctl'), cmd.join(' '));
    }
  }, { daemonCmd: 'supervisord' });
});

/** `tail -f` for `ms`, then Ctrl-C: what it printed. */
async function follow(ctl: string, args: string[], ms: number): Promise<string> {
  const { spawn } = await import('node:child_process');
  // a process group of its own, signalled as a terminal's Ctrl-C would (the bin shim is a shell)
  const child = spawn(ctl, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, detached: true });
  const closed = new Promise((resolve) => child.on('close', resolve));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await h.sleep(ms);
  try {
    process.kill(-child.pid!, 'SIGINT');
  } catch {
    /* it ended by itself (tail -f of an unknown name) */
  }
  await closed;
  return out;
}

test('tsupervisorctl against supervisord: tail -f, maintail, multi-process tail -f, --json and colours', { skip: SKIP }, async () => {
  const port = await h.freePort();
  await h.withDaemon(conf(port), async (d) => {
    await d.waitState('fixed', 'RUNNING');
    for (const args of [['tail', '-f', 'fixed'], ['tail', '-f', 'fixed', 'stderr'], ['tail', '-f', 'nosuch']]) {
      const ours = await follow(TSCTL, ['-c', d.conf, ...args], 1500);
      const theirs = await follow('supervisorctl', ['-c', d.conf, ...args], 1500);
      assert.equal(ours, theirs, args.join(' '));
    }
    const maintail = await run(TSCTL, ['-c', d.conf, 'maintail', '-200']);
    assert.equal(maintail.stdout, (await run('supervisorctl', ['-c', d.conf, 'maintail', '-200'])).stdout);
    // beyond supervisorctl: a group followed, each line prefixed with its process
    await run('supervisorctl', ['-c', d.conf, 'stop', 'a']);
    const group = await follow(TSCTL, ['-c', d.conf, 'tail', '-f', 'fixed', 'a'], 1500);
    assert.match(group, /^fixed \| one\nfixed \| three\n/m);
    const json = JSON.parse((await run(TSCTL, ['-c', d.conf, 'status', '--json'])).stdout) as Array<{ name: string; state: string }>;
    assert.deepEqual(json.map((p) => p.name).sort(), ['a', 'b', 'c', 'fixed', 'quick']);
    const coloured = await run(TSCTL, ['-c', d.conf, '--color', 'status', 'fixed']);
    assert.match(coloured.stdout, /\x1b\[[0-9;]*mRUNNING/);
  }, { daemonCmd: 'supervisord' });
});
