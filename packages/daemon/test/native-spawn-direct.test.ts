// spawnDirect (native/tsv_clone.c): the clone child takes the shim's single-syscall steps
// itself and execs the command. Its steps must be the shim's, and every failure must look
// exactly like the shim's (same stderr lines, exit 127), which is compared here side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canSpawnDirect, closeFd, makePipe, SHIM_PATH, shimArgs, spawnDirect, spawnProcess, type DirectSteps } from '../src/native/index.js';
import { watchChild } from '../src/reaper.js';
import { heldExecGate, holdingExecs } from '../src/process/exec-batch.js';

const SH = fs.existsSync('/bin/sh') ? '/bin/sh' : '/usr/bin/sh';
const skip = canSpawnDirect() ? false : 'no direct spawn here (architecture or TSV_SPAWN_SHIM=1)';

type Run = { out: string; code: number | null };

/** Spawns with stdout and stderr on one pipe, read to its end, and waits for the exit. */
async function run(start: (stdio: number[]) => number): Promise<Run> {
  const pipe = makePipe();
  let pid: number;
  try {
    pid = start([-1, pipe.write, pipe.write]);
  } finally {
    closeFd(pipe.write);
  }
  const alive = setInterval(() => {}, 1000);
  const exited = new Promise<number | null>((resolve) =>
    watchChild(pid).once('exit', (code) => {
      clearInterval(alive);
      resolve(code);
    }),
  );
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const s = fs.createReadStream('', { fd: pipe.read });
    s.on('data', (c) => chunks.push(c as Buffer));
    s.on('end', resolve);
    s.on('error', reject);
  });
  return { out: Buffer.concat(chunks).toString(), code: await exited };
}

function both(file: string, argv: string[], steps: DirectSteps): Promise<[Run, Run]> {
  const viaShim = run((stdio) =>
    spawnProcess(SHIM_PATH, [SHIM_PATH, ...shimArgs({ file, argv, setpgid: steps.setpgid, closeFds: steps.closeFds, pdeathsig: steps.pdeathsig || null, umask: steps.umask, directory: steps.directory })], [], stdio),
  );
  const direct = run((stdio) => spawnDirect(file, argv, [], stdio, steps));
  return Promise.all([viaShim, direct]);
}

const STEPS: DirectSteps = { setpgid: true, closeFds: true, pdeathsig: 9, umask: null, directory: null };

test('exec and chdir failures: the shim\'s lines and exit 127, byte for byte', { skip }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-direct-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const noShebang = path.join(dir, 'no-shebang');
  fs.writeFileSync(noShebang, '\x7fnot a program\n', { mode: 0o755 });
  const cases: Array<[string, string[], DirectSteps, RegExp]> = [
    [path.join(dir, 'missing'), ['missing'], STEPS, /^supervisor: couldn't exec missing: ENOENT\n/],
    [noShebang, ['prog'], STEPS, /^supervisor: couldn't exec prog: ENOEXEC\n/],
    [dir, ['adir'], STEPS, /^supervisor: couldn't exec adir: EACCES\n/],
    [SH, ['sh', '-c', 'exit 0'], { ...STEPS, directory: path.join(dir, 'nowhere') }, /^supervisor: couldn't chdir to .*nowhere: ENOENT\n/],
  ];
  for (const [file, argv, steps, first] of cases) {
    const [shim, direct] = await both(file, argv, steps);
    assert.match(shim.out, first);
    assert.match(shim.out, /supervisor: child process was not spawned\n$/);
    assert.deepEqual(direct, shim, `${argv[0]}: same text and status as the shim`);
    assert.equal(direct.code, 127);
  }
});

test('the steps: own process group, fds >= 3 closed, directory, umask, no parent-death escape', { skip }, async (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-direct-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // an inheritable fd of this process that the child must not keep
  const leak = fs.openSync(SH, 'r');
  t.after(() => fs.closeSync(leak));
  // the shell's fds are listed by a child writing straight to the shell's stdout: in a pipeline
  // the shell may still hold the pipe's ends while `ls` reads its fd directory (a failure seen
  // once), and a redirection makes dash keep a copy of its stdout (fd 10)
  const script = 'set -- $(ps -o pgid= -p $$); echo "pgid=$(($1 == $$))"; pwd; umask; ls /proc/$$/fd';
  const steps = { ...STEPS, umask: 0o027, directory: dir };
  const [shim, direct] = await both(SH, ['sh', '-c', script], steps);
  assert.equal(direct.out, `pgid=1\n${dir}\n0027\n0\n1\n2\n`);
  assert.deepEqual(direct, shim);
});

/** An armed direct spawn of `sh -c SCRIPT` (stdout on a pipe, the gate last): its pid, output and exit. */
function armed(script: string): { pid: number; gate: number; result: Promise<Run> } {
  const gate = makePipe();
  let pid = 0;
  const result = run((stdio) => {
    try {
      pid = spawnDirect(SH, [SH, '-c', script], [], [...stdio, gate.read], { ...STEPS, armed: true });
      return pid;
    } finally {
      closeFd(gate.read);
    }
  });
  return { pid, gate: gate.write, result };
}

test('an armed spawn waits before its exec: one byte lets it run (its fds as unarmed), end-of-file ends it unexec\'d', { skip }, async () => {
  const go = armed('echo ran; ls /proc/self/fd | sort -n | tr "\\n" " "');
  await new Promise((r) => setTimeout(r, 200));
  // not exec'd yet: still the daemon's image (this test process's comm)
  const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8');
  assert.equal(comm(go.pid), comm(process.pid), 'armed child has not exec\'d');
  fs.writeSync(go.gate, Buffer.from([1]));
  closeFd(go.gate);
  const ran = await go.result;
  assert.equal(ran.code, 0);
  // stdin, stdout, stderr and ls's own directory fd: the gate is closed before the exec
  assert.match(ran.out, /^ran\n0 1 2 3 $/);

  const cancelled = armed('echo ran');
  await new Promise((r) => setTimeout(r, 100));
  closeFd(cancelled.gate);
  const none = await cancelled.result;
  assert.deepEqual(none, { out: '', code: 0 }, 'end-of-file: exit 0, nothing run, nothing written');
});

test('spawns made in holdingExecs share one gate and exec only after it returns, at a zero timer (exec-batch.ts)', { skip }, async () => {
  const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8');
  const held: Array<{ pid: number; result: Promise<Run> }> = [];
  const gates = new Set<number>();
  holdingExecs(() => {
    for (let i = 0; i < 3; i++) {
      const gate = heldExecGate();
      assert.ok(gate !== undefined, 'held inside holdingExecs');
      gates.add(gate);
      let pid = 0;
      const result = run((stdio) => (pid = spawnDirect(SH, [SH, '-c', `echo ran${i}`], [], [...stdio, gate], { ...STEPS, armed: true })));
      held.push({ pid, result });
    }
  });
  assert.equal(gates.size, 1, 'one pipe for the batch');
  assert.equal(heldExecGate(), undefined, 'outside holdingExecs nothing is held');
  // returned, and the zero timer has not fired: none has exec'd, even given the time to
  const until = Date.now() + 100;
  while (Date.now() < until) for (const h of held) assert.equal(comm(h.pid), comm(process.pid), 'held child has not exec\'d');
  const ran = await Promise.all(held.map((h) => h.result));
  assert.deepEqual(ran, [0, 1, 2].map((i) => ({ out: `ran${i}\n`, code: 0 })), 'each read its byte and ran');
});
