/** Read-only views: state, pid, versions, process and config info. */
import {
  API_VERSION,
  Faults,
  METHOD_NAMES,
  RPCFault,
  SUPERVISOR_COMPAT,
  SupervisorStates,
  signalNumberOf,
  type ConfigInfo,
  type Handlers,
  type ProcessInfo,
} from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import type { Subprocess } from '../process/subprocess.js';
import type { Supervisor } from '../supervisor.js';
import { withSupervisorLogPaths } from './config-log-view.js';

type InfoHandlers = Pick<
  Handlers<Connection>,
  | 'supervisor.getAPIVersion'
  | 'supervisor.getSupervisorVersion'
  | 'supervisor.getIdentification'
  | 'supervisor.getState'
  | 'supervisor.getPID'
  | 'supervisor.getProcessInfo'
  | 'supervisor.getAllProcessInfo'
  | 'supervisor.getAllConfigInfo'
  | 'system.listMethods'
>;

export function infoHandlers(sup: Supervisor): InfoHandlers {
  const now = () => sup.now();
  const allInfo = allProcessInfo(sup);
  return {
    'supervisor.getAPIVersion': () => API_VERSION,
    'supervisor.getSupervisorVersion': () => SUPERVISOR_COMPAT,
    'supervisor.getIdentification': () => sup.config.supervisord.identifier,
    'supervisor.getState': () => ({ statecode: SupervisorStates[sup.state], statename: sup.state }),
    'supervisor.getPID': () => process.pid,
    'supervisor.getProcessInfo': ({ name }) => {
      const { process: p } = sup.find(name);
      if (!p) throw new RPCFault(Faults.BAD_NAME, name);
      return p.info(now());
    },
    'supervisor.getAllProcessInfo': () => allInfo(now()),
    'supervisor.getAllConfigInfo': () => {
      const out: ConfigInfo[] = [];
      const active = new Set(sup.groups.keys());
      for (const g of sup.latest.groups) {
        // supervisord's AUTO log names: only in a configuration a group was added from (config-log-view.ts)
        const addedFromLatest = sup.groups.get(g.name)?.config === g;
        for (const pc of g.processes) {
          const info = configInfo(g.name, g.priority, active.has(g.name), pc, sup.groups.get(g.name)?.get(pc.name));
          out.push(withSupervisorLogPaths(info, { stdout: pc.stdout.target, stderr: pc.stderr.target }, addedFromLatest));
        }
      }
      return out;
    },
    'system.listMethods': () => [...METHOD_NAMES].sort(),
  };
}

/**
 * getAllProcessInfo, built again only when something in it can have changed: the second of
 * `now` (which the uptimes in the descriptions count), the set of processes, a process's state
 * (its state record is replaced, never changed, at each transition), group, log paths, what
 * the start gate says of it, its health (healthcheck=) or its STATUS= text.
 * Within that, callers get the same frozen array: 50 clients polling 1,000 processes made the
 * daemon build 1,000 objects per call, most of them promoted to the old generation before they
 * died (peak RSS ~190 MB, BENCHMARKS.md). The control socket serializes that array once too.
 */
function allProcessInfo(sup: Supervisor): (nowMs: number) => ProcessInfo[] {
  let sec = -1;
  let procs: Subprocess[] = [];
  let keys: unknown[] = [];
  let infos: ProcessInfo[] = [];
  const K = 7;
  const keyOf = (p: Subprocess, i: number, out: unknown[]) => {
    out[i * K] = p.snapshot;
    out[i * K + 1] = p.groupName;
    out[i * K + 2] = p.output.stdoutPath;
    out[i * K + 3] = p.output.stderrPath;
    out[i * K + 4] = p.gateNote;
    out[i * K + 5] = p.health.current; // replaced at each check that changes it
    out[i * K + 6] = p.status; // the STATUS= text
  };
  return (nowMs) => {
    const all = sup.allLexical();
    const s = Math.floor(nowMs / 1000);
    if (s === sec && all.length === procs.length) {
      const probe: unknown[] = [];
      let same = true;
      for (let i = 0; same && i < all.length; i++) {
        keyOf(all[i]!, 0, probe);
        same = all[i] === procs[i];
        for (let k = 0; same && k < K; k++) same = probe[k] === keys[i * K + k];
      }
      if (same) return infos;
    }
    sec = s;
    procs = all;
    keys = new Array(all.length * K);
    all.forEach((p, i) => keyOf(p, i, keys));
    infos = Object.freeze(all.map((p) => Object.freeze(p.info(nowMs)))) as ProcessInfo[];
    return infos;
  };
}

function logPath(target: { kind: string; path?: string }, live: string | undefined): string {
  if (live !== undefined) return live;
  if (target.kind === 'path') return target.path ?? '';
  return target.kind === 'auto' ? 'AUTO' : target.kind === 'none' ? 'NONE' : target.kind;
}

function configInfo(
  group: string,
  groupPrio: number,
  inuse: boolean,
  pc: Subprocess['config'],
  live: Subprocess | undefined,
): ConfigInfo {
  return {
    name: pc.name,
    group,
    inuse,
    autostart: pc.autostart,
    autorestart: pc.autorestart,
    command: pc.command,
    directory: pc.directory,
    exitcodes: pc.exitcodes,
    group_prio: groupPrio,
    process_prio: pc.priority,
    killasgroup: pc.killasgroup,
    stopasgroup: pc.stopasgroup,
    redirect_stderr: pc.redirectStderr,
    startretries: pc.startretries,
    startsecs: pc.startsecs,
    stopsignal: signalNumber(pc.stopsignal),
    stopwaitsecs: pc.stopwaitsecs,
    uid: null,
    serverurl: pc.serverurl,
    stdout_logfile: logPath(pc.stdout.target, live?.output.stdoutPath),
    stdout_logfile_backups: pc.stdout.backups,
    stdout_logfile_maxbytes: pc.stdout.maxbytes,
    stdout_capture_maxbytes: pc.stdout.captureMaxbytes,
    stdout_events_enabled: pc.stdout.eventsEnabled,
    stdout_syslog: pc.stdout.syslog,
    stderr_logfile: logPath(pc.stderr.target, live?.output.stderrPath),
    stderr_logfile_backups: pc.stderr.backups,
    stderr_logfile_maxbytes: pc.stderr.maxbytes,
    stderr_capture_maxbytes: pc.stderr.captureMaxbytes,
    stderr_events_enabled: pc.stderr.eventsEnabled,
    stderr_syslog: pc.stderr.syslog,
  };
}

/** The config keeps a canonical name ('TERM', 'RTMIN'), which the table always knows. */
function signalNumber(name: string): number {
  return signalNumberOf(name) ?? 15;
}
