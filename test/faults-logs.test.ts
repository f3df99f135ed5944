/**
 * A program's log on a filesystem that fills up (a 64 KiB tmpfs mounted by the test; needs root,
 * skipped without) or in a directory that disappears: the program keeps running, the daemon
 * logs the error once per incident, and capture resumes when space (or the directory) returns.
 * (A read-only remount is refused while the log is open for writing, so it cannot be staged.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.js';

const isRoot = process.getuid?.() === 0;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

/** ~10 KB/s of numbered 100-byte lines. */
const CHATTY = `sh -c 'i=0; while :; do i=$((i+1)); printf "line %%08d %%0.85d\\n" $i 0; sleep 0.01; done'`;

async function withTinyFs(body: (d: h.Daemon, mnt: string) => Promise<void>): Promise<void> {
  const tmp = h.makeTmpDir('tsv-full-');
  const mnt = join(tmp.path, 'logs');
  mkdirSync(mnt);
  sh('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tsv-test-tmpfs', mnt]);
  let d: h.Daemon | undefined;
  try {
    d = await h.startDaemon(
      `
[program:chatty]
command=${CHATTY}
startsecs=0
stdout_logfile=${mnt}/chatty.log
stdout_logfile_maxbytes=0

[program:quiet]
command=sleep 1000
startsecs=0
`,
      { dir: tmp.path },
    );
    await body(d, mnt);
  } catch (e) {
    if (d) (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    await d?.stop();
    spawnSync('umount', [mnt]);
    spawnSync('umount', ['-l', mnt]);
    tmp.remove();
  }
}

const mainLog = (d: h.Daemon) => readFileSync(join(d.dir, 'supervisord.log'), 'utf8');
const count = (text: string, re: RegExp) => text.match(new RegExp(re, 'g'))?.length ?? 0;
const lastLine = (file: string) => {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return Number(/^line (\d+)/.exec(lines[lines.length - 1] ?? '')?.[1] ?? 0);
};

test('disk full under a program log: it keeps running, one error per incident, capture recovers', { skip: !isRoot && 'needs root (mount)', timeout: 60_000 }, async () => {
  await withTinyFs(async (d, mnt) => {
    const pid = (await d.waitState('chatty', 'RUNNING')).pid;
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(40 * 1024));
    await h.waitFor('the disk to be full', () => /cannot write stdout log .*chatty\.log.*ENOSPC|no space/i.test(mainLog(d)), 15_000);
    await h.sleep(2000); // many more writes fail meanwhile: still one error
    assert.equal(count(mainLog(d), /cannot write stdout log/), 1, 'one error for the incident');
    const chatty = (await d.status('chatty'))[0]!;
    assert.equal(chatty.state, 'RUNNING');
    assert.equal(chatty.pid, pid, 'the program was not restarted');
    const before = lastLine(join(mnt, 'chatty.log'));

    rmSync(join(mnt, 'filler'));
    await h.waitFor('capture to recover', () => /chatty: stdout log .*chatty\.log writable again; \d+ bytes were lost/.test(mainLog(d)), 10_000);
    await h.waitFor('new lines in the log', () => lastLine(join(mnt, 'chatty.log')) > before + 50, 10_000);
    assert.equal((await d.status('chatty'))[0]!.pid, pid);
    assert.equal((await d.status('quiet'))[0]!.state, 'RUNNING');
  });
});

test('log directory removed under a program (reopened on SIGUSR2): it keeps running, one error, capture recovers', { timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-gone-');
  const logs = join(tmp.path, 'logs');
  mkdirSync(logs);
  const d = await h.startDaemon(`
[program:chatty]
command=${CHATTY}
startsecs=0
stdout_logfile=${logs}/chatty.log
`, { dir: tmp.path });
  try {
    const pid = (await d.waitState('chatty', 'RUNNING')).pid;
    rmSync(logs, { recursive: true });
    process.kill(d.pid, 'SIGUSR2'); // as logrotate would: reopen, now into a missing directory
    await h.waitFor('the error', () => /cannot write stdout log .*chatty\.log/.test(mainLog(d)), 10_000);
    await h.sleep(2500); // writes and reopen attempts keep failing meanwhile: still one error
    assert.equal(count(mainLog(d), /cannot write stdout log/), 1, 'one error for the incident');
    assert.equal((await d.status('chatty'))[0]!.pid, pid, 'the program was not restarted');

    mkdirSync(logs);
    await h.waitFor('capture to recover', () => /chatty: stdout log .*chatty\.log writable again; \d+ bytes were lost/.test(mainLog(d)), 10_000);
    await h.waitFor('new lines in the log', () => lastLine(join(logs, 'chatty.log')) > 50, 10_000);
    const chatty = (await d.status('chatty'))[0]!;
    assert.equal(chatty.state, 'RUNNING');
    assert.equal(chatty.pid, pid);
  } catch (e) {
    (e as Error).message += `\n${d.logs().slice(-4000)}`;
    throw e;
  } finally {
    await d.stop();
    tmp.remove();
  }
});

test('the main log on a full disk: the daemon keeps running and serving; logging resumes with space', { skip: !isRoot && 'needs root (mount)', timeout: 60_000 }, async () => {
  const tmp = h.makeTmpDir('tsv-mainfull-');
  const mnt = join(tmp.path, 'logs');
  mkdirSync(mnt);
  sh('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tsv-test-tmpfs', mnt]);
  let d: h.Daemon | undefined;
  try {
    d = await h.startDaemon(`
[supervisord]
logfile=${mnt}/supervisord.log

[program:a]
command=sleep 1000
startsecs=0
`, { dir: tmp.path });
    const pid = (await d.waitState('a', 'RUNNING')).pid;
    const fs = statfsSync(mnt);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(fs.bavail * fs.bsize));
    assert.equal(statfsSync(mnt).bavail, 0, 'the tmpfs is full');
    // Every state-changing call writes log lines, which now fail.
    for (let i = 0; i < 5; i++) await d.ctl(['stop', 'a']).then(() => d!.ctl(['start', 'a']));
    assert.ok(h.isAlive(d.pid));
    assert.equal((await d.status('a'))[0]!.state, 'RUNNING');
    rmSync(join(mnt, 'filler'));
    await d.ctl(['stop', 'a']);
    await h.waitFor('the main log to take lines again', () => /stopped: a /.test(readFileSync(join(mnt, 'supervisord.log'), 'utf8').split('\n').slice(-5).join('\n')), 10_000);
    assert.notEqual((await d.status('a'))[0]!.pid, pid, 'a was restarted by the calls above');
  } catch (e) {
    if (d) (e as Error).message += `\n${d.logs().slice(-3000)}`;
    throw e;
  } finally {
    await d?.stop();
    spawnSync('umount', [mnt]);
    spawnSync('umount', ['-l', mnt]);
    tmp.remove();
  }
});
