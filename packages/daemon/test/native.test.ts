// Tests of the native layer (packages/daemon/native): the addon and the exec shim, with real
// sockets and real child processes. Linux only; several tests need root (they run as root in CI).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  ADDON_PATH,
  SHIM_PATH,
  closeFd,
  getgrnam,
  getpwnam,
  getpwuid,
  getrlimit,
  listenTcp,
  listenUnix,
  peerCred,
  reapPid,
  relisten,
  setrlimit,
  shimArgs,
  sockName,
  socketPort,
  type NativeError,
  type ShimSpec,
} from '../src/native/index.js';

const isRoot = process.getuid?.() === 0;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

function which(cmd: string, preferred: string[] = []): string {
  for (const p of [...preferred, ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, cmd))]) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error(`${cmd} not found`);
}

const PY = which('python3', ['/usr/bin/python3']);
const SH = which('sh', ['/bin/sh']);
const SLEEP = which('sleep', ['/bin/sleep']);
const CAT = which('cat', ['/bin/cat']);

/** A worker that accepts on fd 0 (supervisor's fcgi-program convention) and answers its pid. */
const WORKER = `
import os, socket, sys, time
s = socket.socket(fileno=0)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    c.sendall(str(os.getpid()).encode())
    c.close()
    time.sleep(0.002)
`;

/** Resolves once the worker printed 'ready' (it is about to block in accept). */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('ready')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
}

const children = new Set<ChildProcess>();
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-native-'));
fs.chmodSync(tmpRoot, 0o755); // nobody must reach the sockets in it

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

function shim(spec: ShimSpec, stdio: StdioOptions = ['ignore', 'pipe', 'pipe']): ChildProcess {
  const child = spawn(SHIM_PATH, shimArgs(spec), { stdio });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function worker(fd: number, extra: Partial<ShimSpec> = {}): ChildProcess {
  return shim(
    { file: PY, argv: ['python3', '-c', WORKER], setpgid: true, socket: { fd: 3 }, ...extra },
    ['ignore', 'pipe', 'pipe', fd],
  );
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function collect(child: ChildProcess, timeoutMs = 10_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child timed out; stdout=${stdout} stderr=${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid! });
    });
  });
}

function run(spec: ShimSpec, stdio?: StdioOptions): Promise<Result> {
  return collect(shim(spec, stdio));
}

/** Connects, reads until the peer closes; resolves with what was read. */
function ask(target: { port: number } | { path: string }, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = 'port' in target ? net.connect(target.port, '127.0.0.1') : net.connect(target.path);
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve(data));
    sock.on('error', reject);
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
  });
}

function fdFlags(pid: number | 'self', fd: number): number {
  const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
  const m = /^flags:\s+([0-7]+)/m.exec(info);
  assert.ok(m, info);
  return parseInt(m[1]!, 8);
}

function fdTarget(pid: number | 'self', fd: number): string {
  return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
}

function fdTargets(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Dead or a zombie (an orphan whose new parent has not reaped it yet). */
function gone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function statusField(status: string, key: string): string[] {
  const line = status.split('\n').find((l) => l.startsWith(`${key}:`));
  assert.ok(line, `${key} in /proc/self/status`);
  return line.slice(key.length + 1).trim().split(/\s+/).filter(Boolean);
}

function assertSysError(err: unknown, code: string, re: RegExp): true {
  const e = err as NativeError;
  assert.equal(e.code, code, String(err));
  assert.equal(typeof e.errno, 'number');
  assert.ok(e.errno < 0);
  assert.match(e.message, re);
  return true;
}

describe('listening TCP socket handed to children', () => {
  test('children accept every connection, the daemon none; the socket flags stay untouched', async (t) => {
    const fd = listenTcp('127.0.0.1', 0, 64);
    const port = socketPort(fd);
    assert.ok(port > 0);
    assert.deepEqual(sockName(fd), { family: 'IPv4', address: '127.0.0.1', port });
    const flagsBefore = fdFlags('self', fd);
    assert.equal(flagsBefore & O_NONBLOCK, 0, 'blocking');
    assert.ok(flagsBefore & O_CLOEXEC, 'close-on-exec');

    const workers = [worker(fd), worker(fd), worker(fd)];
    const pids = new Set(workers.map((w) => String(w.pid)));
    try {
      await Promise.all(workers.map(ready));
      await sleep(50); // let each reach accept()
      const answers: string[] = [];
      for (let round = 0; round < 6; round++) {
        answers.push(...(await Promise.all(Array.from({ length: 10 }, () => ask({ port })))));
      }
      assert.equal(answers.length, 60);
      for (const a of answers) assert.ok(pids.has(a), `answer ${a} comes from a worker ${[...pids]}`);
      const spread = [...pids].map((p) => answers.filter((a) => a === p).length);
      t.diagnostic(`60 connections served per worker: ${spread.join('/')}`);
      assert.ok(new Set(answers).size >= 2, `spread over workers: ${answers.join(' ')}`);

      // The socket sits on fd 0 of each worker (nothing left on fd 3), and nobody flipped O_NONBLOCK.
      const target = fdTarget('self', fd);
      for (const w of workers) {
        assert.equal(fdTarget(w.pid!, 0), target);
        assert.ok(!fs.existsSync(`/proc/${w.pid}/fd/3`) || fdTarget(w.pid!, 3) !== target);
        assert.equal(fdFlags(w.pid!, 0) & ~O_CLOEXEC, flagsBefore & ~O_CLOEXEC);
      }
      assert.equal(fdFlags('self', fd), flagsBefore);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
      closeFd(fd);
    }
  });

  test('connections made while no child runs wait in the backlog and are served later', async () => {
    const fd = listenTcp('127.0.0.1', 0, 16);
    const port = socketPort(fd);
    try {
      let early = false;
      const pending = [ask({ port }), ask({ port }), ask({ port })];
      pending.forEach((p) => p.then(() => (early = true), () => (early = true)));
      await sleep(300);
      assert.equal(early, false, 'nothing answered (or refused) while no worker runs');

      const w1 = worker(fd);
      assert.deepEqual(await Promise.all(pending), [String(w1.pid), String(w1.pid), String(w1.pid)]);

      // The worker dies: the daemon still holds the socket, so new connections wait again.
      w1.kill('SIGKILL');
      await collect(w1);
      const later = ask({ port });
      await sleep(200);
      const w2 = worker(fd);
      assert.equal(await later, String(w2.pid));
      w2.kill('SIGKILL');
    } finally {
      closeFd(fd);
    }
  });

  test('IPv6 literal, relisten changes the backlog', () => {
    const fd = listenTcp('::1', 0, 7);
    try {
      const name = sockName(fd);
      assert.equal(name.family, 'IPv6');
      const port = socketPort(fd);
      const backlog = () => {
        const out = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
        if (out.error) return null; // no ss: skip the check
        return Number(out.stdout.trim().split(/\s+/)[2]);
      };
      const before = backlog();
      if (before !== null) assert.equal(before, 7);
      relisten(fd, 33);
      const afterRelisten = backlog();
      if (afterRelisten !== null) assert.equal(afterRelisten, 33);
    } finally {
      closeFd(fd);
    }
  });

  test('EADDRINUSE and bad addresses surface with a code and the address', async () => {
    const fd = listenTcp('127.0.0.1', 0, 8);
    const port = socketPort(fd);
    try {
      assert.throws(() => listenTcp('127.0.0.1', port, 8), (e) =>
        assertSysError(e, 'EADDRINUSE', new RegExp(`127\\.0\\.0\\.1:${port}`)),
      );
      const e = (() => {
        try {
          listenTcp('127.0.0.1', port, 8);
        } catch (err) {
          return err as NativeError;
        }
        return null;
      })();
      assert.equal(e?.errno, -os.constants.errno.EADDRINUSE);
      assert.equal(e?.syscall, 'bind');
      assert.equal(e?.address, `127.0.0.1:${port}`);
    } finally {
      closeFd(fd);
    }
    // A port held by a Node server conflicts too.
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const busy = (server.address() as net.AddressInfo).port;
    assert.throws(() => listenTcp('127.0.0.1', busy, 8), (err) => assertSysError(err, 'EADDRINUSE', /bind/));
    server.close();
    assert.throws(() => listenTcp('localhost', 0, 8), (err) => assertSysError(err, 'EINVAL', /localhost/));
    assert.throws(() => listenTcp('192.0.2.1', 0, 8), (err) => assertSysError(err, 'EADDRNOTAVAIL', /192\.0\.2\.1/));
  });

  test('the socket is close-on-exec: an unrelated child does not inherit it', async () => {
    const fd = listenTcp('127.0.0.1', 0, 8);
    try {
      const target = fdTarget('self', fd);
      assert.match(target, /^socket:\[\d+\]$/);
      const unrelated = spawn(SLEEP, ['5'], { stdio: 'ignore' });
      children.add(unrelated);
      const viaShim = worker(fd);
      await sleep(200);
      assert.ok(!fdTargets(unrelated.pid!).includes(target), 'plain child has no copy');
      assert.deepEqual(
        fdTargets(viaShim.pid!).filter((t) => t === target).length,
        1,
        'the worker holds exactly one copy (fd 0)',
      );
      unrelated.kill('SIGKILL');
      viaShim.kill('SIGKILL');
    } finally {
      closeFd(fd);
    }
  });
});

describe('listening Unix socket', () => {
  test('mode and owner nobody:nogroup are applied; a nobody client and worker can use it', { skip: !isRoot && 'needs root' }, async () => {
    const nobody = getpwnam('nobody');
    const nogroup = getgrnam('nogroup') ?? nobody?.gid ?? null;
    assert.ok(nobody && nogroup !== null);
    const sockPath = path.join(tmpRoot, 'fcgi.sock');
    const fd = listenUnix(sockPath, 16, 0o660, nobody.uid, nogroup);
    try {
      const st = fs.lstatSync(sockPath);
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o7777, 0o660);
      assert.equal(st.uid, nobody.uid);
      assert.equal(st.gid, nogroup);
      assert.deepEqual(sockName(fd), { family: 'unix', path: sockPath });

      const w = worker(fd, { user: 'nobody' });
      assert.equal(await ask({ path: sockPath }), String(w.pid));
      // A client running as nobody gets in thanks to the owner.
      const client = await run({
        file: PY,
        argv: ['python3', '-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(32).decode())', sockPath],
        user: 'nobody',
      });
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout.trim(), String(w.pid));
      w.kill('SIGKILL');
    } finally {
      closeFd(fd);
      fs.rmSync(sockPath, { force: true });
    }
    // Owned by root with 0660, the same client is refused.
    const fd2 = listenUnix(sockPath, 16, 0o660, -1, -1);
    try {
      assert.equal(fs.lstatSync(sockPath).uid, 0);
      const client = await run({
        file: PY,
        argv: ['python3', '-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])', sockPath],
        user: 'nobody',
      });
      assert.notEqual(client.code, 0);
      assert.match(client.stderr, /PermissionError/);
    } finally {
      closeFd(fd2);
      fs.rmSync(sockPath, { force: true });
    }
  });

  test('a stale socket file is replaced', async () => {
    const sockPath = path.join(tmpRoot, 'stale.sock');
    const old = listenUnix(sockPath, 4, 0o700);
    closeFd(old); // the path stays behind, as after a crash
    assert.ok(fs.lstatSync(sockPath).isSocket());
    const fd = listenUnix(sockPath, 4, 0o700);
    try {
      assert.equal(fs.lstatSync(sockPath).mode & 0o777, 0o700);
      await new Promise<void>((resolve, reject) => {
        const c = net.connect(sockPath, () => {
          c.destroy();
          resolve();
        });
        c.on('error', reject);
      });
    } finally {
      closeFd(fd);
      fs.rmSync(sockPath, { force: true });
    }
  });

  test('a file that is not a socket is refused and left alone', () => {
    const filePath = path.join(tmpRoot, 'not-a-socket');
    fs.writeFileSync(filePath, 'precious');
    assert.throws(() => listenUnix(filePath, 4, 0o700), (e) => assertSysError(e, 'EEXIST', /not-a-socket.*not a socket/));
    assert.equal(fs.readFileSync(filePath, 'utf8'), 'precious');
    const dirPath = path.join(tmpRoot, 'a-dir');
    fs.mkdirSync(dirPath);
    assert.throws(() => listenUnix(dirPath, 4, 0o700), (e) => assertSysError(e, 'EEXIST', /a-dir/));
    assert.ok(fs.statSync(dirPath).isDirectory());
    assert.throws(() => listenUnix(path.join(tmpRoot, 'no', 'such', 'dir.sock'), 4, 0o700), (e) =>
      assertSysError(e, 'ENOENT', /dir\.sock/),
    );
    assert.throws(() => listenUnix('/tmp/' + 'x'.repeat(200), 4, 0o700), (e) => assertSysError(e, 'ENAMETOOLONG', /xxxx/));
  });

  test('peerCred names the connecting process', { skip: !isRoot && 'needs root' }, async () => {
    const sockPath = path.join(tmpRoot, 'ctl.sock');
    const server = net.createServer();
    const cred = new Promise<ReturnType<typeof peerCred>>((resolve) =>
      server.on('connection', (sock) => {
        resolve(peerCred(sock));
        sock.end('x');
      }),
    );
    await new Promise<void>((r) => server.listen(sockPath, r));
    fs.chmodSync(sockPath, 0o777);
    try {
      const client = shim({
        file: PY,
        argv: ['python3', '-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(1)', sockPath],
        user: 'nobody',
      });
      const nobody = getpwnam('nobody')!;
      assert.deepEqual(await cred, { pid: client.pid, uid: nobody.uid, gid: nobody.gid });
      await collect(client);
      assert.throws(() => peerCred(new net.Socket()), (e) => (e as NativeError).code === 'EBADF');
    } finally {
      server.close();
    }
  });
});

describe('exec shim', () => {
  test('setpgid: the child leads its own process group; exec keeps the pid', async () => {
    const code = 'import os; print(os.getpid(), os.getpgid(0), os.getsid(0))';
    const own = await run({ file: PY, argv: ['python3', '-c', code], setpgid: true });
    assert.equal(own.code, 0, own.stderr);
    const [pid, pgid] = own.stdout.trim().split(' ').map(Number);
    assert.equal(pid, own.pid);
    assert.equal(pgid, own.pid);
    const shared = await run({ file: PY, argv: ['python3', '-c', code] });
    assert.notEqual(Number(shared.stdout.trim().split(' ')[1]), shared.pid);
  });

  test('--user nobody drops uid and gid and takes exactly nobody\'s groups; HOME is left alone', { skip: !isRoot && 'needs root' }, async () => {
    const nobody = getpwnam('nobody')!;
    const r = await run({ file: SH, argv: ['sh', '-c', 'cat /proc/self/status; echo "HOME=$HOME"'], user: 'nobody' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(statusField(r.stdout, 'Uid'), Array(4).fill(String(nobody.uid)));
    assert.deepEqual(statusField(r.stdout, 'Gid'), Array(4).fill(String(nobody.gid)));
    const expected = spawnSync('id', ['-G', 'nobody'], { encoding: 'utf8' }).stdout.trim().split(/\s+/).sort();
    assert.deepEqual(statusField(r.stdout, 'Groups').sort(), expected);
    assert.ok(!statusField(r.stdout, 'Groups').includes('0'), 'root group dropped');
    assert.match(r.stdout, new RegExp(`^HOME=${process.env.HOME ?? ''}$`, 'm'));
    // by uid too
    const byUid = await run({ file: SH, argv: ['sh', '-c', 'id -u'], user: nobody.uid });
    assert.equal(byUid.stdout.trim(), String(nobody.uid));
  });

  test('--user keeps supplementary groups (initgroups)', { skip: !isRoot && 'needs root' }, async (t) => {
    // Any user listed as a member of some group in the group database will do.
    const groups = spawnSync('getent', ['group'], { encoding: 'utf8' }).stdout.split('\n');
    let member: string | undefined;
    for (const line of groups) {
      const users = (line.split(':')[3] ?? '').split(',').filter(Boolean);
      member = users.find((u) => getpwnam(u) && u !== 'root');
      if (member) break;
    }
    if (!member) {
      t.skip('no user with supplementary groups on this machine');
      return;
    }
    const expected = spawnSync('id', ['-G', member], { encoding: 'utf8' }).stdout.trim().split(/\s+/).sort();
    assert.ok(expected.length >= 2);
    const r = await run({ file: CAT, argv: ['cat', '/proc/self/status'], user: member });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(statusField(r.stdout, 'Groups').sort(), expected);
  });

  test('--user errors use supervisor\'s wording', async () => {
    const r = await run({ file: SH, argv: ['sh', '-c', 'true'], user: 'no-such-user-xyz' });
    assert.equal(r.code, 127);
    assert.equal(
      r.stderr,
      "supervisor: couldn't setuid to no-such-user-xyz: Can't find username 'no-such-user-xyz'\nsupervisor: child process was not spawned\n",
    );
  });

  test('--umask and --dir', async () => {
    const r = await run({ file: SH, argv: ['sh', '-c', 'umask; pwd'], umask: 0o027, directory: tmpRoot });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['0027', fs.realpathSync(tmpRoot)]);
    const bad = await run({ file: SH, argv: ['sh', '-c', 'pwd'], directory: '/no/such/dir' });
    assert.equal(bad.code, 127);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^supervisor: couldn't chdir to \/no\/such\/dir: ENOENT\n/);
  });

  test('exec failure: supervisor\'s message on stderr and exit 127', async () => {
    const missing = await run({ file: '/no/such/program', argv: ['/no/such/program', 'arg'] });
    assert.equal(missing.code, 127);
    assert.equal(
      missing.stderr,
      "supervisor: couldn't exec /no/such/program: ENOENT\nsupervisor: child process was not spawned\n",
    );
    const notExec = path.join(tmpRoot, 'not-executable');
    fs.writeFileSync(notExec, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const denied = await run({ file: notExec, argv: [notExec] });
    assert.equal(denied.code, 127);
    assert.match(denied.stderr, /^supervisor: couldn't exec .*not-executable: EACCES\n/);
  });

  test('argv[0] is passed separately', async () => {
    const cmdline = await run({ file: CAT, argv: ['custom-name', '/proc/self/cmdline'] });
    assert.equal(cmdline.code, 0, cmdline.stderr);
    assert.deepEqual(cmdline.stdout.split('\0').slice(0, 2), ['custom-name', '/proc/self/cmdline']);
    // The exec error names argv[0], as supervisor's does.
    const missing = await run({ file: '/no/such/bin/app', argv: ['app'] });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^supervisor: couldn't exec app: ENOENT\n/);
  });

  test('--pdeathsig: the child dies with a killed parent (also after --user)', async () => {
    const cases: Array<{ extra: string; dies: boolean }> = [
      { extra: '--pdeathsig KILL', dies: true },
      { extra: '--pdeathsig SIGTERM', dies: true },
      { extra: '', dies: false },
    ];
    if (isRoot) cases.push({ extra: '--user nobody --pdeathsig KILL', dies: true });
    for (const c of cases) {
      // An intermediate parent (sh) runs the shim in the background, prints its pid, waits.
      const parent = spawn(SH, ['-c', `"${SHIM_PATH}" ${c.extra} -- "${SLEEP}" sleep 60 & echo $!; wait`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.add(parent);
      const pid = Number(
        await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d).trim()))),
      );
      await waitFor(() => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep');
        } catch {
          return false;
        }
      }, 5000, 'the exec of sleep');
      parent.kill('SIGKILL');
      if (c.dies) {
        await waitFor(() => gone(pid), 5000, `pid ${pid} to die (${c.extra})`);
      } else {
        await sleep(300);
        assert.ok(!gone(pid), 'without --pdeathsig the orphan survives');
        process.kill(pid, 'SIGKILL');
      }
    }
  });

  test('--listen-fds: socket on fd 3, LISTEN_FDS=1, LISTEN_PID is the child\'s own pid', async () => {
    const fd = listenTcp('127.0.0.1', 0, 8);
    try {
      const code = `
import os, stat
print(os.getpid(), os.environ.get('LISTEN_FDS'), os.environ.get('LISTEN_PID'), os.environ.get('LISTEN_FDNAMES'),
      stat.S_ISSOCK(os.fstat(3).st_mode), stat.S_ISSOCK(os.fstat(0).st_mode), os.get_inheritable(3))
`;
      const r = await run(
        { file: PY, argv: ['python3', '-c', code], socket: { fd: 3, pass: 'listen_fds', name: 'web' } },
        ['ignore', 'pipe', 'pipe', fd],
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split(' '), [String(r.pid), '1', String(r.pid), 'web', 'True', 'False', 'True']);
      // Arriving on another fd, it is still moved to 3.
      const moved = await run(
        { file: PY, argv: ['python3', '-c', code], socket: { fd: 4, pass: 'listen_fds' } },
        ['ignore', 'pipe', 'pipe', 'ignore', fd],
      );
      assert.equal(moved.code, 0, moved.stderr);
      assert.deepEqual(moved.stdout.trim().split(' '), [String(moved.pid), '1', String(moved.pid), 'None', 'True', 'False', 'True']);
    } finally {
      closeFd(fd);
    }
  });

  test('signal dispositions and mask are reset to default', async () => {
    // sh ignores TERM and HUP, then execs the shim: the ignored dispositions would be inherited.
    const r = await collect(
      spawn(SH, ['-c', `trap "" TERM HUP PIPE; exec "${SHIM_PATH}" -- "${CAT}" cat /proc/self/status`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statusField(r.stdout, 'SigIgn')[0], '0000000000000000');
    assert.equal(statusField(r.stdout, 'SigBlk')[0], '0000000000000000');
  });

  test('--close-fds closes inherited fds; --rlimit sets limits', async () => {
    const extra = fs.openSync(path.join(tmpRoot, 'extra'), 'w');
    try {
      const code = 'import os; print(" ".join(sorted(os.listdir("/proc/self/fd"), key=int)))';
      const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'ignore', extra];
      const kept = await run({ file: PY, argv: ['python3', '-c', code] }, stdio);
      assert.ok(kept.stdout.trim().split(' ').includes('4'), kept.stdout);
      const closed = await run({ file: PY, argv: ['python3', '-c', code], closeFds: true }, stdio);
      assert.ok(!closed.stdout.trim().split(' ').includes('4'), closed.stdout);
    } finally {
      fs.closeSync(extra);
    }
    const lim = await run({ file: CAT, argv: ['cat', '/proc/self/limits'], rlimits: { nofile: { soft: 512, hard: 1024 } } });
    assert.match(lim.stdout, /^Max open files\s+512\s+1024\s+files/m);
  });

  test('shimArgs builds the documented command line', () => {
    assert.deepEqual(
      shimArgs({
        file: '/usr/bin/app',
        argv: ['app', '-x'],
        setpgid: true,
        user: 'www-data',
        umask: 0o22,
        directory: '/srv',
        pdeathsig: 'KILL',
        socket: { fd: 3 },
      }),
      ['--setpgid', '--user', 'www-data', '--umask', '022', '--dir', '/srv', '--pdeathsig', 'KILL',
        '--socket-fd', '3', '--socket-to', '0', '--', '/usr/bin/app', 'app', '-x'],
    );
    assert.deepEqual(shimArgs({ file: '/bin/x', socket: { pass: 'listen_fds', name: 'web' } }), [
      '--listen-fds', '3', '--fdname', 'web', '--', '/bin/x', '/bin/x',
    ]);
    assert.deepEqual(shimArgs({ file: '/bin/x', user: null, umask: null, directory: null }), ['--', '/bin/x', '/bin/x']);
  });
});

describe('loading', () => {
  /** A copy of the compiled wrapper (native/*.js) inside a fake package root without native/build. */
  function fakePackage(name: string, withSources: boolean): string {
    const fake = path.join(tmpRoot, name);
    fs.mkdirSync(path.join(fake, 'dist', 'src', 'native'), { recursive: true });
    fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: '@tsupervisor/daemon', type: 'module' }));
    // every compiled file of the wrapper (a new one needs no edit here)
    const wrapper = fileURLToPath(new URL('../src/native/', import.meta.url));
    for (const f of fs.readdirSync(wrapper).filter((n) => n.endsWith('.js'))) {
      fs.copyFileSync(path.join(wrapper, f), path.join(fake, 'dist', 'src', 'native', f));
    }
    if (withSources) {
      const pkgRoot = fileURLToPath(new URL('../../', import.meta.url));
      fs.mkdirSync(path.join(fake, 'native'));
      // every source and build script of native/ (a new C file or helper needs no edit here)
      for (const f of fs.readdirSync(path.join(pkgRoot, 'native')).filter((n) => /\.(c|h|mjs)$/.test(n))) {
        fs.copyFileSync(path.join(pkgRoot, 'native', f), path.join(fake, 'native', f));
      }
      fs.symlinkSync(path.join(pkgRoot, 'node_modules'), path.join(fake, 'node_modules'));
    }
    return fake;
  }

  async function tryListen(fake: string, env: NodeJS.ProcessEnv = process.env) {
    const copy = path.join(fake, 'dist', 'src', 'native', 'index.js');
    const script = `
const m = await import(${JSON.stringify(copy)});
const out = { shim: m.SHIM_PATH };
try { const fd = m.listenTcp('127.0.0.1', 0, 1); out.port = m.socketPort(fd); out.args = m.shimArgs({ file: '/bin/true' }); }
catch (e) { out.code = e.code; out.message = e.message; }
console.log(JSON.stringify(out));
`;
    const r = await collect(spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env }));
    assert.equal(r.code, 0, r.stderr);
    return { ...JSON.parse(r.stdout), stderr: r.stderr };
  }

  test('a missing build that cannot be built gives a clear error at the first call, not at import', async () => {
    const fake = fakePackage('fake-daemon', false);
    const out = await tryListen(fake);
    assert.equal(out.shim, path.join(fake, 'native', 'build', 'tsv-exec'));
    assert.equal(out.code, 'ERR_TSV_NATIVE_NOT_BUILT');
    assert.match(out.message, /not built.*pnpm install/);
  });

  test('a missing build is built once on first use (pnpm 12 skips install scripts on an up-to-date tree)', async () => {
    const fake = fakePackage('fake-daemon-src', true);
    const off = await tryListen(fake, { ...process.env, TSV_NATIVE_AUTOBUILD: '0' });
    assert.equal(off.code, 'ERR_TSV_NATIVE_NOT_BUILT');
    const out = await tryListen(fake);
    assert.equal(out.code, undefined, out.message);
    assert.ok(out.port > 0);
    assert.match(out.stderr, /building it now/);
    assert.ok(fs.existsSync(path.join(fake, 'native', 'build', 'tsv-exec')));
    assert.ok(fs.existsSync(path.join(fake, 'native', 'build', 'tsv_native.node')));
  });
});

describe('limits, users, processes', () => {
  test('getrlimit / setrlimit', () => {
    const before = getrlimit('nofile');
    assert.ok(before.soft > 0 && before.hard >= before.soft);
    assert.equal(typeof getrlimit('nproc').hard, 'number');
    setrlimit('nofile', before.soft - 1, before.hard);
    assert.deepEqual(getrlimit('nofile'), { soft: before.soft - 1, hard: before.hard });
    setrlimit('nofile', before.soft, before.hard);
    assert.deepEqual(getrlimit('nofile'), before);
    assert.throws(() => setrlimit('nofile', before.hard + 1, before.hard), (e) => (e as NativeError).code === 'EINVAL');
    assert.throws(() => getrlimit('bogus' as 'nofile'), TypeError);
  });

  test('getpwnam / getpwuid / getgrnam agree with getent', () => {
    const [name, , uid, gid, , home, shell] = spawnSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' })
      .stdout.trim()
      .split(':');
    const expected = { name, uid: Number(uid), gid: Number(gid), home, shell };
    assert.deepEqual(getpwnam('nobody'), expected);
    assert.deepEqual(getpwuid(Number(uid)), expected);
    assert.equal(getpwuid(0)?.name, 'root');
    assert.equal(getpwnam('no-such-user-xyz'), null);
    assert.equal(getpwuid(4_000_000_000), null);
    assert.equal(getgrnam('root'), 0);
    assert.equal(getgrnam('no-such-group-xyz'), null);
  });

  test('setChildSubreaper + reapPid reap an adopted orphan', async () => {
    // In a separate Node process, so the test process stays an ordinary parent.
    const mod = new URL('../src/native/index.js', import.meta.url).href;
    const script = `
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setChildSubreaper, reapPid } from ${JSON.stringify(mod)};
setChildSubreaper();
const orphan = Number(spawnSync('sh', ['-c', 'sleep 0.3 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout.trim());
const stat = readFileSync('/proc/' + orphan + '/stat', 'utf8');
const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
const running = reapPid(orphan);
let r = null;
while (!(r = reapPid(orphan))) await new Promise((res) => setTimeout(res, 20));
let echild = null;
try { reapPid(orphan); } catch (e) { echild = e.code; }
console.log(JSON.stringify({ orphan, ppid, me: process.pid, running, r, echild }));
`;
    const out = await collect(spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.equal(out.code, 0, out.stderr);
    const res = JSON.parse(out.stdout);
    assert.equal(res.ppid, res.me, 'the orphan was reparented to the subreaper');
    assert.equal(res.running, null);
    assert.deepEqual(res.r, { pid: res.orphan, status: 0, code: 0, signal: null });
    assert.equal(res.echild, 'ECHILD');
  });
});

describe('trimMemory', () => {
  // A private copy of node: its pages are mapped by that one process only (the test runner's
  // own node shares the real binary's, which the kernel rightly leaves alone).
  test('gives back the clean pages of the node binary that only this process maps', { timeout: 60_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-trim-'));
    try {
      const node = path.join(dir, 'node-copy');
      fs.copyFileSync(process.execPath, node);
      fs.chmodSync(node, 0o755);
      // written back first: the kernel reclaims clean pages only
      const fd = fs.openSync(node, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      const script = `
        const fs = require('fs');
        const resident = () => {
          let kb = 0, ours = false;
          for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
            if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) ours = line.endsWith(${JSON.stringify(node)});
            else if (ours && line.startsWith('Rss:')) kb += Number(line.split(/\\s+/)[1]);
          }
          return kb;
        };
        const addon = require(${JSON.stringify(ADDON_PATH)});
        const before = resident();
        addon.trimMemory().then((advised) => {
          process.stdout.write(JSON.stringify({ before, after: resident(), advised }));
        });`;
      const r = spawnSync(node, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      const { before, after, advised } = JSON.parse(r.stdout) as { before: number; after: number; advised: number };
      assert.ok(advised > 0, `nothing advised (${advised})`);
      assert.ok(before > 10_000, `the binary's start-up pages are resident: ${before} kB`);
      // what the process still runs comes back; the start-up pages do not
      assert.ok(after < before / 2, `resident kB of the node binary: ${before} before, ${after} after`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // The real binary, which this test runner maps too: MADV_PAGEOUT leaves its shared pages
  // alone, the second pass unmaps them from the trimmed process only; pages written since the
  // mapping was made (anonymous, e.g. relocated data) are kept, and the process goes on working.
  test('unmaps the shared pages of the node binary but keeps its written pages', { timeout: 60_000 }, () => {
    const script = `
      const fs = require('fs');
      const binary = () => {
        let rss = 0, anon = 0, ours = false;
        for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
          if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) ours = line.endsWith(${JSON.stringify(process.execPath)});
          else if (ours && line.startsWith('Rss:')) rss += Number(line.split(/\\s+/)[1]);
          else if (ours && line.startsWith('Anonymous:')) anon += Number(line.split(/\\s+/)[1]);
        }
        return { rss, anon };
      };
      const addon = require(${JSON.stringify(ADDON_PATH)});
      const before = binary();
      addon.trimMemory().then(() => {
        const after = binary();
        // still working: the compiler, a module, a hash
        const works = new Function('a', 'return a * 2')(21) === 42 && require('crypto').createHash('sha256').update('x').digest('hex').length === 64;
        process.stdout.write(JSON.stringify({ before, after, works }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const { before, after, works } = JSON.parse(r.stdout) as { before: { rss: number; anon: number }; after: { rss: number; anon: number }; works: boolean };
    assert.ok(works, 'the process works after the trim');
    assert.ok(before.rss > 10_000, `the binary's start-up pages are resident: ${before.rss} kB`);
    assert.ok(after.rss < before.rss / 2, `resident kB of the shared node binary: ${before.rss} before, ${after.rss} after`);
    assert.ok(before.anon > 0 && after.anon === before.anon, `written pages of the binary's mappings: ${before.anon} kB before, ${after.anon} kB after`);
  });
});
