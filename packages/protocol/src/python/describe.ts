/**
 * A process's `description` as supervisor computes it (rpcinterface._interpretProcessInfo):
 * the daemon sends it in getProcessInfo; the ctl applies the same rule to records that lack it.
 */
import type { ProcessStateName } from '../states.js';

/** What the description depends on (times in epoch seconds). */
export interface DescribeInput {
  name: string;
  statename: ProcessStateName;
  pid: number;
  start: number;
  stop: number;
  now: number;
  spawnerr: string;
}

/** `pid 5, uptime 0:01:05`, `Not started`, a stop date, the spawn error … by state. */
export function describeProcess(info: DescribeInput, now = info.now): string {
  switch (info.statename) {
    case 'RUNNING':
      return `pid ${info.pid}, uptime ${formatUptime(now - info.start)}`;
    case 'FATAL':
    case 'BACKOFF':
      return info.spawnerr || `unknown error (try "tail ${info.name}")`;
    case 'STOPPED':
    case 'EXITED':
      return info.start ? formatStopTime(info.stop) : 'Not started';
    default:
      return '';
  }
}

/** str(datetime.timedelta(seconds=n)): `H:MM:SS`, `1 day, H:MM:SS`, `N days, H:MM:SS`. */
export function formatUptime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const hms = `${Math.floor(rest / 3600)}:${pad2(Math.floor((rest % 3600) / 60))}:${pad2(rest % 60)}`;
  if (days === 0) return hms;
  return `${days} day${days === 1 ? '' : 's'}, ${hms}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime('%b %d %I:%M %p') of epoch seconds, in local time (C locale names). */
export function formatStopTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const hour12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  const ampm = d.getHours() < 12 ? 'AM' : 'PM';
  return `${MONTHS[d.getMonth()]} ${pad2(d.getDate())} ${pad2(hour12)}:${pad2(d.getMinutes())} ${ampm}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
