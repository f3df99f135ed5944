// spawnProcess (native/tsv_spawn.c: clone(CLONE_VM) of the exec shim, not a fork of this
// process) and the reaper that turns its children's exits into events (src/reaper.ts), beside
// child_process children, whose exits libuv must keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearCloexec, closeFd, countFds, getrlimit, makePipe, peekChild, reapPid, spawnProcess, spawnSettle, type NativeError } from '../src/native/index.js';
import { watchChild } from '../src/reaper.js';

const SH = fs.existsSync('/bin/sh') ? '/bin/sh' : '/usr/bin/sh';

/** Runs `script` in a natively spawned sh; `stdio` slots may name OUT (a pipe read here). */
async function runNative(script: string, stdio: Array<number | 'OUT'>, env: string[] = []): Promise<{ out: string; code: number | null; signal: string | null }> {
  const pipe = makePipe();
  let pid: number;
  try {
    pid = spawnProcess(SH, ['sh', '-c', script], env, stdio.map((s) => (s === 'OUT' ? pipe.write : s)));
  } finally {
    closeFd(pipe.write);
  }
  // (the reaper's SIGCHLD handle does not keep the loop alive: this test's timer does)
  const alive = setInterval(() => {}, 1000);
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    watchChild(pid).once('exit', (code, signal) => {
      clearInterval(alive);
      resolve([code, signal]);
    }),
  );
  const out = await readAll(pipe.read);
  const [code, signal] = await exited;
  return { out, code, signal: signal as string | null };
}

function readAll(fd: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = fs.createReadStream('', { fd });
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
    stream.on('error', reject);
  });
}

// first: before any watchChild, no SIGCHLD listener of the reaper takes the zombie away
test('a killed child reports its signal; peekChild leaves the zombie for reapPid', async () => {
  const pid = spawnProcess(SH, ['sh', '-c', 'kill -TERM $$'], [], [-1, -1, -1]);
  for (let i = 0; i < 500 && peekChild() !== pid; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(peekChild(), pid, 'exited, seen and left');
  assert.equal(peekChild(), pid, 'still there: peeking does not reap');
  assert.deepEqual(reapPid(pid), { pid, status: 15, code: null, signal: 'SIGTERM' });
});

test('stdio slots: -1 is /dev/null, one fd may fill two slots, env and argv are exactly those given', async () => {
  const r = await runNative('readlink /proc/self/fd/0; echo "$0 [$X] [$HOME]"; echo err >&2; exit 3', [-1, 'OUT', 'OUT'], ['X=1 2']);
  assert.equal(r.out, '/dev/null\nsh [1 2] []\nerr\n');
  assert.deepEqual([r.code, r.signal], [3, null]);
});

test('sources below the slot count are placed without clobbering each other (0 and 1 crossed)', async () => {
  // (the words are expanded before the shell applies >&2 to its fd 1)
  const r = await runNative('echo "$(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1)" >&2', [1, 0, 'OUT']);
  assert.equal(r.out, `${fs.readlinkSync('/proc/self/fd/1')} ${fs.readlinkSync('/proc/self/fd/0')}\n`);
});

test('the child starts with no signal blocked or ignored (this process ignores SIGPIPE)', async () => {
  const r = await runNative('grep -E "^Sig(Blk|Ign)" /proc/self/status', [-1, 'OUT', 'OUT']);
  assert.match(r.out, /^SigBlk:\s+0+$/m);
  assert.match(r.out, /^SigIgn:\s+0+$/m);
  assert.equal(r.code, 0);
});

test('a missing or non-executable file is a synchronous error, and no child is left', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-spawn-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const plain = path.join(dir, 'not-executable');
  fs.writeFileSync(plain, '#!/bin/sh\n', { mode: 0o644 });
  for (const [file, code] of [
    [path.join(dir, 'missing'), 'ENOENT'],
    [plain, 'EACCES'],
  ]) {
    assert.throws(
      () => spawnProcess(file!, ['x'], [], [-1, -1, -1]),
      (err: NativeError) => err.code === code && err.syscall === 'spawn' && err.message.includes(file!),
    );
  }
  assert.equal(peekChild(), 0);
});

test('native and child_process children exiting together each keep their own status', async () => {
  const native = Array.from({ length: 20 }, (_, i) => runNative(`sleep 0.0${i % 10}; exit ${i}`, [-1, 'OUT', 'OUT']));
  const viaNode = Array.from(
    { length: 20 },
    (_, i) =>
      new Promise<number | null>((resolve, reject) => {
        const c = spawn(SH, ['-c', `sleep 0.0${i % 10}; exit ${i + 20}`], { stdio: 'ignore' });
        c.on('error', reject);
        c.on('exit', (code) => resolve(code));
      }),
  );
  const [a, b] = await Promise.all([Promise.all(native), Promise.all(viaNode)]);
  assert.deepEqual(
    a.map((r) => r.code),
    a.map((_, i) => i),
  );
  assert.deepEqual(
    b,
    b.map((_, i) => i + 20),
  );
});

test('countFds counts /proc/self/fd without its own descriptor', () => {
  assert.equal(countFds(), fs.readdirSync('/proc/self/fd').length - 1);
});

test('with thousands of fds open the child copies only the low ones; its stdio leaves the reserved fds once it has its own table', { skip: getrlimit('nofile').soft < 8192 && 'needs an fd limit of 8192' }, async () => {
  await runNative('true', [-1, -1, -1]); // the first spawn reserves the low fds (kept)
  const before = countFds();
  const held = Array.from({ length: 2000 }, () => makePipe());
  try {
    // one high fd without close-on-exec: a child that copied the whole table would still have it
    const high = held[held.length - 1]!.write;
    clearCloexec(high);
    const r = await runNative('ls /proc/$$/fd', [-1, 'OUT', 'OUT']);
    const inChild = r.out.trim().split('\n').map(Number);
    assert.ok(!inChild.includes(high), `fd ${high} reached the child: ${inChild.join(' ')}`);
    assert.ok(inChild.length < 10, `the child's fds: ${inChild.join(' ')}`);
    for (let i = 0; i < 200 && spawnSettle() > 0; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(spawnSettle(), 0);
    assert.ok(countFds() <= before + 2 * held.length, 'the child\'s pipe ends are closed here again');
  } finally {
    for (const p of held) for (const fd of [p.read, p.write]) closeFd(fd);
  }
});
