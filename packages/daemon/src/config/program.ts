/**
 * The processes of one [program:x] / [fcgi-program:x] / [eventlistener:x] section
 * (options._processes_from_section): numprocs copies, each with its own expansions.
 *
 * As in supervisor, keys read once per section (priority, autostart, user, umask, …) know
 * `here`, `program_name`, `group_name`, `host_node_name` and ENV_*; keys read per process
 * (environment, directory, *_logfile*, *_syslog, command, process_name) also know
 * `process_num`, `numprocs` and the ENV_* of the program's own environment=.
 */
import { resolve } from 'node:path';
import type { LogConfig, ProcessConfig } from './types.js';
import type { LoadContext } from './context.js';
import { warnOnce } from './context.js';
import type { SectionReader } from './section.js';
import { pyCompare, pyRepr } from '@tsupervisor/protocol';
import { expand, type ExpansionNames } from './expand.js';
import { toLogTarget } from './paths.js';
import { splitCommand } from './shlex.js';
import { toDependsOn } from './dependencies.js';
import { toHealthCheck, toReadyCheck, toReadyTimeout, toSeconds } from './readiness.js';
import { nameToUid } from './users.js';
import { BadValue } from './errors.js';
import {
  toAutoRestart,
  toBoolean,
  toByteSize,
  toExitCodes,
  toInteger,
  toKeyValuePairs,
  toOctal,
  toProcessOrGroupName,
  toSignalName,
} from './values.js';

/** `program:web` → 'web', checked like supervisor's process_or_group_name. */
export function sectionProgramName(r: SectionReader): string {
  const suffix = r.name.slice(r.name.indexOf(':') + 1);
  try {
    return toProcessOrGroupName(suffix);
  } catch (e) {
    throw r.error(undefined, (e as Error).message);
  }
}

export function readProcesses(ctx: LoadContext, r: SectionReader, groupName: string): ProcessConfig[] {
  const programName = sectionProgramName(r);
  const common: ExpansionNames = {
    ...ctx.envNames,
    program_name: programName,
    host_node_name: ctx.hostNodeName,
    group_name: groupName,
  };
  const stopasgroup = r.value('stopasgroup', common, toBoolean, 'false');
  const once = {
    priority: r.value('priority', common, toInteger, '999'),
    autostart: r.value('autostart', common, toBoolean, 'true'),
    autorestart: r.value('autorestart', common, toAutoRestart, 'unexpected'),
    startsecs: r.value('startsecs', common, toInteger, '1'),
    startretries: r.value('startretries', common, toInteger, '3'),
    stopsignal: r.value('stopsignal', common, toSignalName, 'TERM'),
    stopwaitsecs: r.value('stopwaitsecs', common, toInteger, '10'),
    stopasgroup,
    killasgroup: r.value('killasgroup', common, toBoolean, String(stopasgroup)),
    exitcodes: r.value('exitcodes', common, toExitCodes, '0'),
    redirectStderr: r.value('redirect_stderr', common, toBoolean, 'false'),
  };
  const numprocs = r.value('numprocs', common, toInteger, '1');
  const numprocsStart = r.value('numprocs_start', common, toInteger, '0');
  const environmentRaw = r.raw('environment');
  const capture = {
    stdout: r.value('stdout_capture_maxbytes', common, toByteSize, '0'),
    stderr: r.value('stderr_capture_maxbytes', common, toByteSize, '0'),
  };
  const events = {
    stdout: r.value('stdout_events_enabled', common, toBoolean, 'false'),
    stderr: r.value('stderr_events_enabled', common, toBoolean, 'false'),
  };
  const serverurlValue = r.string('serverurl', common);
  const serverurl = serverurlValue && serverurlValue.trim().toUpperCase() !== 'AUTO' ? serverurlValue : 'AUTO';
  const user = r.string('user', common) ?? null;
  const uid = user === null ? null : r.value('user', common, (s) => nameToUid(ctx.users, s))!;
  const umask = r.value('umask', common, toOctal) ?? null;
  const logTimestamps = r.value('log_timestamps', common, toBoolean, 'false');
  const extensions = readExtensions(r, common);
  const ready = r.value('ready', common, toReadyCheck) ?? null;
  const readyTimeout = r.value('ready_timeout', common, toReadyTimeout, '60');

  const processName = r.string('process_name', common, false) ?? '%(program_name)s';
  r.attempt('process_name', r.raw('process_name'), () => toProcessOrGroupName(processName));
  if (numprocs > 1 && !processName.includes('%(process_num)')) {
    const key = r.has('process_name') ? 'process_name' : 'numprocs';
    throw r.error(key, '%(process_num) must be present within process_name when numprocs > 1');
  }
  if (once.stopasgroup && !once.killasgroup) {
    throw r.error('killasgroup', 'Cannot set stopasgroup=true and killasgroup=false');
  }

  const processes: ProcessConfig[] = [];
  for (let processNum = numprocsStart; processNum < numprocsStart + numprocs; processNum++) {
    const base: ExpansionNames = { ...common, process_num: processNum, numprocs };
    const environment = environmentRaw
      ? r.attempt('environment', environmentRaw, () =>
          toKeyValuePairs(expand(environmentRaw.value, r.namesAt('environment', base), 'environment')),
        )
      : {};
    // a new object, not `base` changed: section.ts keeps one copy with `here` per names object
    const envNames: Record<string, string> = {};
    for (const [k, v] of Object.entries(environment)) envNames[`ENV_${k}`] = v;
    const names: ExpansionNames = environmentRaw ? { ...base, ...envNames } : base;

    const directoryValue = r.string('directory', names);
    const directory = directoryValue === undefined ? null : resolve(ctx.paths.cwd, directoryValue);
    const stdout = readLog(ctx, r, 'stdout', names, capture.stdout, events.stdout);
    const stderr = readLog(ctx, r, 'stderr', names, capture.stderr, events.stderr);
    if (once.redirectStderr) {
      if (stderr.target.kind === 'path') {
        warnOnce(
          ctx,
          `For [${r.name}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored`,
        );
      }
      stderr.target = { kind: 'none' };
    }

    const command = r.string('command', names);
    if (command === undefined) throw r.missing('command', `program section ${r.name} does not specify a command`);
    // As supervisor, a command that does not split (or is empty) is no configuration error: the
    // process fails to spawn (get_execv_args' BadCommand: start says NOT_EXECUTABLE, BACKOFF).
    let argv: string[] = [];
    let commandError: string | null = null;
    try {
      argv = splitCommand(command);
      if (argv.length === 0) commandError = 'command is empty';
    } catch (e) {
      commandError = `can't parse command ${pyRepr(command)}: ${(e as Error).message}`;
    }
    const name = r.attempt('process_name', r.raw('process_name'), () =>
      expand(processName, r.namesAt('process_name', names), 'process_name'),
    );

    processes.push({
      name,
      programName,
      groupName,
      processNum,
      command,
      argv,
      ...(commandError === null ? {} : { commandError }),
      ...once,
      user,
      uid,
      stdout,
      stderr,
      environment,
      directory,
      umask,
      serverurl,
      logTimestamps,
      ready,
      readyTimeout,
      origin: { file: r.section.file, line: r.section.line },
      ...extensions,
    });
  }
  return processes.sort(byPriorityThenName);
}

/** tsupervisor's depends_on=, essential=, backoff_max=: each field only when its key is written. */
type Extensions = Pick<
  ProcessConfig,
  'dependsOn' | 'essential' | 'backoffMax' | 'healthcheck' | 'healthcheckInterval' | 'healthcheckTimeout' | 'healthcheckRetries' | 'healthcheckStartPeriod'
>;

function readExtensions(r: SectionReader, names: ExpansionNames): Extensions {
  const out: Extensions = {};
  const at = r.raw('depends_on');
  if (at) out.dependsOn = r.value('depends_on', names, (s) => toDependsOn(s, { file: at.file, line: at.line }));
  if (r.has('essential')) out.essential = r.value('essential', names, toBoolean);
  if (r.has('backoff_max')) out.backoffMax = r.value('backoff_max', names, toPositiveInteger);
  // the timings are checked when written, and kept (with their defaults) only with healthcheck=
  const interval = r.value('healthcheck_interval', names, toReadyTimeout, '30');
  const timeout = r.value('healthcheck_timeout', names, toReadyTimeout, '5');
  const retries = r.value('healthcheck_retries', names, toPositiveInteger, '3');
  const startPeriod = r.value('healthcheck_start_period', names, toSeconds, '0');
  if (r.has('healthcheck')) {
    const check = r.value('healthcheck', names, toHealthCheck)!;
    if (check.kind === 'notify' && r.string('ready', names)?.trim() !== 'notify') {
      throw r.error('healthcheck', 'healthcheck=notify counts WATCHDOG=1 messages on the NOTIFY_SOCKET that ready=notify gives the process: set ready=notify too');
    }
    Object.assign(out, { healthcheck: check, healthcheckInterval: interval, healthcheckTimeout: timeout, healthcheckRetries: retries, healthcheckStartPeriod: startPeriod });
  }
  return out;
}

function toPositiveInteger(s: string): number {
  const n = toInteger(s);
  if (n < 1) throw new BadValue(`${n} is below lower bound (1)`);
  return n;
}

/** supervisor's Config ordering (`__lt__`): priority, then name (code point order). */
export function byPriorityThenName(a: { priority: number; name: string }, b: { priority: number; name: string }): number {
  return a.priority - b.priority || pyCompare(a.name, b.name);
}

function readLog(
  ctx: LoadContext,
  r: SectionReader,
  channel: 'stdout' | 'stderr',
  names: ExpansionNames,
  captureMaxbytes: number,
  eventsEnabled: boolean,
): LogConfig {
  const key = `${channel}_logfile`;
  // Expanded twice, as supervisor does (saneget, then expand()).
  const target = r.value(key, names, (s) => toLogTarget(expand(s, r.namesAt(key, names), key), ctx.paths), 'AUTO');
  const log: LogConfig = {
    target,
    backups: r.value(`${channel}_logfile_backups`, names, toInteger, '10'),
    maxbytes: r.value(`${channel}_logfile_maxbytes`, names, toByteSize, '50MB'),
    syslog: r.value(`${channel}_syslog`, names, toBoolean, 'false'),
    captureMaxbytes,
    eventsEnabled,
  };
  if (log.target.kind === 'syslog') {
    warnOnce(
      ctx,
      `For [${r.name}], ${key}=syslog but this is deprecated and will be removed.  Use ${channel}_syslog=true to enable syslog instead.`,
    );
    log.target = { kind: 'none' };
    log.syslog = true;
  }
  if (log.target.kind === 'auto' && log.maxbytes === 0) {
    warnOnce(
      ctx,
      `For [${r.name}], AUTO logging used for ${key} without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally`,
    );
  }
  return log;
}
