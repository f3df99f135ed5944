// The --daemon mode of logs-throughput: one daemon per implementation (tsupervisord, and Debian's
// supervisord when installed) with a program per case; each run clears the log, starts the
// program through the daemon's own RPC (no ctl start-up in the timing), waits until the log holds
// the stream's last line (checked every 50 ms; the time is the file's mtime, so the check does
// not compete with the writer), and reads the daemon's CPU time from /proc/<pid>/stat.
import { request } from 'node:http';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { h } from './lib.mjs';
import { logFiles } from './log-verify.mjs';

const { ControlClient } = await import(new URL('../../packages/protocol/dist/src/index.js', import.meta.url).href);

const TICK = 100; // CLK_TCK on Linux

/** utime + stime of one process (all its threads), in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

/** Peak resident set of a process (VmHWM), in MiB. */
export function peakRssMiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A minimal XML-RPC client for supervisord's /RPC2 on its Unix socket. */
function xmlrpc(socketPath, method, params) {
  const value = (v) =>
    typeof v === 'boolean' ? `<boolean>${v ? 1 : 0}</boolean>` : typeof v === 'number' ? `<int>${v}</int>` : `<string>${v}</string>`;
  const body =
    `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>` +
    params.map((p) => `<param><value>${value(p)}</value></param>`).join('') +
    `</params></methodCall>`;
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/RPC2', method: 'POST', headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => (text.includes('<fault>') ? reject(new Error(`${method}: ${text}`)) : resolve(text)));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What the bench needs of a daemon's RPC, whichever the implementation. */
async function rpcFor(impl, socketPath) {
  if (impl === 'supervisor') {
    return {
      start: (name) => xmlrpc(socketPath, 'supervisor.startProcess', [name, false]),
      clear: (name) => xmlrpc(socketPath, 'supervisor.clearProcessLogs', [name]),
      state: async (name) => /<name>statename<\/name>\s*<value>\s*(?:<string>)?(\w+)</.exec(await xmlrpc(socketPath, 'supervisor.getProcessInfo', [name]))?.[1],
      close: () => undefined,
    };
  }
  const client = await ControlClient.connect(socketPath);
  return {
    start: (name) => client.call('supervisor.startProcess', { name, wait: false }),
    clear: (name) => client.call('supervisor.clearProcessLogs', { name }),
    state: async (name) => (await client.call('supervisor.getProcessInfo', { name })).statename,
    close: () => client.close(),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The newest mtime of `path` and `path.1`, and their sizes, as one string (to see the log settle). */
function logStamp(path) {
  return [path, `${path}.1`].map((f) => (existsSync(f) ? `${statSync(f).mtimeMs}:${statSync(f).size}` : '-')).join(' ');
}

/**
 * Starts `impl`'s daemon with one program per case: `cases` = [{ program, producer, maxbytes,
 * backups }] (producer from log-producers.mjs), each logging to `${logDir}/${program}.log`.
 * Returns { run(program), reset(), stop() }.
 */
export async function startBenchDaemon(impl, cases, logDir) {
  const conf = cases
    .map(
      (c) => `
[program:${c.program}]
command=${c.producer.argv.join(' ')}
autostart=false
autorestart=false
startsecs=0
stdout_logfile=${join(logDir, `${c.program}.log`)}
stdout_logfile_maxbytes=${c.maxbytes}
stdout_logfile_backups=${c.backups}
stderr_logfile=NONE
`,
    )
    .join('');
  const d = await h.startDaemon(conf, { daemonCmd: impl.daemonCmd, env: impl.env });
  const rpc = await rpcFor(d.impl, join(d.dir, 'supervisor.sock'));

  /**
   * Empties every log of this daemon and removes the backups. Run before every run of any case: a big log left in the page cache, even a
   * removed one the daemon still holds open, makes the next writer measurably slower.
   */
  async function reset() {
    for (const c of cases) {
      const path = join(logDir, `${c.program}.log`);
      // tsupervisord keeps a log open across runs: clear empties it. supervisord closes it when
      // the process exits (and its `clear` does nothing then), so the file is simply removed.
      if (d.impl === 'supervisor') rmSync(path, { force: true });
      else await rpc.clear(c.program);
      for (const f of logFiles(path)) if (f !== path) rmSync(f, { force: true });
    }
  }

  /** One run (after reset): start, poll until the last line is in, wait for EXITED. */
  async function run(program) {
    const c = cases.find((k) => k.program === program);
    const rotate = c.maxbytes > 0;
    const path = join(logDir, `${program}.log`);
    await sleep(50);
    const cpu0 = cpuSeconds(d.pid);
    const t0 = Date.now(); // wall clock, as file times are
    await rpc.start(program);
    const deadline = t0 + 120_000;
    let done = null;
    while (c.producer.knowsEnd(rotate) && (done = c.producer.complete(path, rotate)) === null) {
      if (Date.now() > deadline) throw new Error(`${impl.name}: ${program} did not complete in 120 s\n${d.logs()}`);
      await sleep(50);
    }
    while ((await rpc.state(program)) !== 'EXITED') {
      if (Date.now() > deadline) throw new Error(`${impl.name}: ${program} never EXITED`);
      await sleep(done === null ? 100 : 20);
    }
    if (done === null) {
      // the end cannot be told from the content: the log has not changed for 300 ms after the exit
      for (let stamp = logStamp(path), last = ''; stamp !== last; stamp = logStamp(path)) {
        last = stamp;
        await sleep(300);
      }
      done = Math.max(...[path, `${path}.1`].filter(existsSync).map((f) => statSync(f).mtimeMs));
    }
    const wall = (done - t0) / 1000;
    await sleep(50);
    return { wall, cpu: cpuSeconds(d.pid) - cpu0, rss: peakRssMiB(d.pid), files: logFiles(path) };
  }

  return {
    impl: d.impl,
    run,
    reset,
    stop: async () => {
      rpc.close();
      await d.stop();
    },
  };
}
