/**
 * A real syslog receiver for tests: `test/fixtures/syslog/receiver.py` (python3) binds a unix
 * datagram socket at `path`, as /dev/log is, and reports every datagram it gets. Point the
 * daemon at it with TSUPERVISORD_SYSLOG_SOCKET=<path> (a test-only variable).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fixturesDir } from './paths.js';
import { killPid, startedPids, waitFor } from './procs.js';

export interface SyslogReceiver {
  path: string;
  /** Every datagram received so far, in order, as text. */
  readonly datagrams: string[];
  /** Waits (bounded) until `check(datagrams)` is truthy. */
  waitFor<T>(what: string, check: (datagrams: string[]) => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  stop(): void;
}

export const RECEIVER_SCRIPT = join(fixturesDir, 'syslog', 'receiver.py');

export async function startSyslogReceiver(path: string): Promise<SyslogReceiver> {
  const child = spawn('python3', [RECEIVER_SCRIPT, path, '120'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = child.pid ?? -1;
  if (pid > 0) startedPids.add(pid);
  const datagrams: string[] = [];
  let ready = false;
  let exited = false;
  let rest = '';
  child.on('exit', () => (exited = true));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    rest += d;
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') ready = true;
      else if (line) datagrams.push(JSON.parse(line) as string);
    }
  });
  await waitFor(`the syslog receiver at ${path}`, () => {
    if (exited) throw new Error(`the syslog receiver (${RECEIVER_SCRIPT}) exited early`);
    return ready;
  }, 10_000, 10);
  return {
    path,
    datagrams,
    waitFor: (what, check, timeoutMs = 10_000) => waitFor(what, () => check(datagrams), timeoutMs, 20),
    stop() {
      if (!exited) killPid(pid, 'SIGTERM');
      startedPids.delete(pid);
    },
  };
}
