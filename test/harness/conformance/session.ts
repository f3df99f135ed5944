/**
 * One case's daemon, as the recorder ran it: `DAEMON -c CONF` started in the temp dir, ready
 * once `TMP/sock` exists and `CTL pid` answers; with nodaemon=false the launched process exits
 * 0 and the daemon's pid is read from TMP/supervisord.pid. `stop()` asks `CTL shutdown`, waits,
 * then kills by pid: the daemon (TERM, then KILL), every child pid it reported or /proc showed,
 * and the launched process. Every pid is also in the harness's exit-time kill list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, isAlive, killPid, sleep, startTimeOf, startedPids } from '../procs.js';
import { runBounded, type BoundedOptions, type Outcome } from './bounded-command.js';

export interface SessionOptions extends Omit<BoundedOptions, 'outDir'> {
  tmp: string;
  conf: string;
  daemon: string[];
  ctl: string[];
  readyTimeoutS: number;
}

export interface Session {
  /** `CTL -c CONF ...args`, bounded by the step timeout */
  ctl(args: string[]): Promise<Outcome>;
  /** resolves true once ready; false with `exit` (the launched process's status, if it ended) */
  start(): Promise<{ ready: boolean; exit: number | undefined }>;
  stop(): Promise<void>;
}

const isSocket = (path: string) => statSync(path, { throwIfNoEntry: false })?.isSocket() ?? false;

export function openSession(o: SessionOptions): Session {
  let launched: ChildProcess | undefined;
  let daemonPid = 0;
  /** pids to kill at the end (unless they were recycled: their start time is kept) */
  const seen = new Map<number, string>();
  const see = (pid: number) => {
    const t = startTimeOf(pid);
    if (t && !seen.has(pid)) seen.set(pid, t);
  };
  const seeChildren = () => daemonPid > 0 && descendantsOf(daemonPid).forEach(see);

  const ctl = (args: string[]) => runBounded([...o.ctl, '-c', o.conf, ...args], { ...o, outDir: o.tmp });

  const exitStatus = (c: ChildProcess) =>
    c.exitCode ?? (c.signalCode ? 128 + (constants.signals[c.signalCode] ?? 0) : undefined);
  const ended = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  async function start() {
    const outFd = openSync(join(o.tmp, 'daemon.out'), 'w');
    const errFd = openSync(join(o.tmp, 'daemon.err'), 'w');
    try {
      launched = spawn(o.daemon[0]!, [...o.daemon.slice(1), '-c', o.conf], {
        cwd: o.tmp,
        env: o.env,
        stdio: ['ignore', outFd, errFd],
      });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    const child = launched;
    let spawnFailed = false;
    child.on('error', () => (spawnFailed = true));
    daemonPid = child.pid ?? 0;
    if (daemonPid) startedPids.add(daemonPid);
    const sock = join(o.tmp, 'sock');
    let launchedExit: number | undefined;
    for (let i = 0; i < o.readyTimeoutS * 20 && !o.signal?.aborted; i++) {
      seeChildren();
      if (isSocket(sock) && (await ctl(['pid'])).code === 0) {
        const pidfile = join(o.tmp, 'supervisord.pid');
        if (launchedExit !== undefined && existsSync(pidfile)) {
          daemonPid = Number(readFileSync(pidfile, 'utf8').trim()) || daemonPid;
          startedPids.add(daemonPid);
        }
        return { ready: true, exit: undefined };
      }
      if (spawnFailed) return { ready: false, exit: 127 };
      if (launchedExit === undefined && ended(child)) {
        launchedExit = exitStatus(child);
        if (launchedExit !== 0) return { ready: false, exit: launchedExit };
      }
      await sleep(50);
    }
    return { ready: false, exit: launchedExit };
  }

  async function stop() {
    if (!launched) return;
    seeChildren();
    const listed = await ctl(['pid', 'all']);
    for (const l of listed.stdout.split('\n')) if (/^[1-9][0-9]*$/.test(l)) see(Number(l));
    await ctl(['shutdown']);
    for (let i = 0; i < 300 && isAlive(daemonPid); i++) await sleep(50);
    if (isAlive(daemonPid)) {
      killPid(daemonPid, 'SIGTERM');
      await sleep(1000);
      if (isAlive(daemonPid)) killPid(daemonPid, 'SIGKILL');
    }
    for (const [pid, t] of seen) if (isAlive(pid) && startTimeOf(pid) === t) killPid(pid, 'SIGKILL');
    const child = launched;
    if (!ended(child) && child.pid) {
      killPid(child.pid, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    startedPids.delete(daemonPid);
    if (child.pid) startedPids.delete(child.pid);
    launched = undefined;
  }

  return { ctl, start, stop };
}
