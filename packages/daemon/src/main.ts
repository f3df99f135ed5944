/**
 * tsupervisord: parse the command line, read the configuration, go to the background (unless
 * nodaemon), drop privileges and raise limits, open the main log and the control socket, start
 * the process groups, and turn signals into shutdown (TERM, INT, QUIT), restart (HUP) and log
 * reopening (USR2). Each step is a named function here or in start/; this file reads as the
 * list of them, in supervisord's order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from './config/types.js';
import { daemonize, isDaemonChild, reportToParent } from './daemonize.js';
import type { MainLog } from './logs/index.js';
import { noteActivity } from './memory.js';
import { ESSENTIAL_EXIT_CODE } from './process/essential.js';
import { prepareFdTable } from './process/fd-budget.js';
import { buildSupervisor, type Supervision } from './start/build-supervisor.js';
import { parseCommandLine, readConfiguration } from './start/configuration.js';
import { restoreNodeEnvironment } from './start/node-environment.js';
import { reportStartFailure } from './start/failure.js';
import { callOptions, HttpServers } from './start/http-servers.js';
import { Lifecycle } from './start/lifecycle.js';
import { clearAutoChildLogs, enterDirectory, openMainLog, prepareForChildren } from './start/open-logs.js';
import { answerSignals } from './start/signal-requests.js';
import { logParseMessages, logServersOpened } from './start/start-up-lines.js';
import { dropPrivilegesAndRaiseLimits } from './start/user-and-limits.js';
import { ensureNative } from './native/index.js';
import { carryGenerations } from './logs/generations.js';
import { carryAutoLogs } from './logs/index.js';
import { adoptProcesses, adoptSockets, carriedAutoLogs, carriedListeners, claimChildren } from './reexec/adopt.js';
import { CHECK_ENV, takeState, type ReexecState } from './reexec/state.js';

async function main(): Promise<void> {
  restoreNodeEnvironment(); // what the launcher, daemonize or reexec carried past node's start
  // ps, top and pgrep see `tsupervisord ARGS`, not node and the launcher's -e script
  process.title = ['tsupervisord', ...process.argv.slice(2)].join(' ');
  const args = parseCommandLine(process.argv.slice(2));
  // reexec (issue 14): the previous image of this process left its state (reexec/state.ts)
  const reexec = takeState();
  if (reexec) {
    claimChildren(reexec);
    carryGenerations(reexec.logs ?? []); // before any log is opened: positions go on
    carryAutoLogs(carriedAutoLogs(reexec)); // AUTO logs: the same files
  }
  const cwd = reexec?.cwd ?? process.cwd();
  const { config, read } = readConfiguration(args, cwd);
  exitIfOnlyChecking();
  if (!config.supervisord.nodaemon && !isDaemonChild() && !reexec) await daemonize();
  try {
    // (a refusal reaches the terminal through the waiting parent)
    const limitInfos = dropPrivilegesAndRaiseLimits(config.supervisord);
    await run(config, read, limitInfos, { cwd, reexec });
  } catch (err) {
    reportStartFailure(err);
  }
}

/**
 * `limitInfos`: the user= and limit lines, logged with the configuration's at the first start;
 * `reexec`: what the previous image of this process handed over (null at a plain start).
 */
async function run(config: Config, read: () => Config, limitInfos: readonly string[], { cwd, reexec }: { cwd: string; reexec: ReexecState | null }): Promise<void> {
  const server = config.supervisord;
  void prepareFdTable(config.groups.reduce((n, group) => n + group.processes.length, 0)); // while the rest starts
  enterDirectory(server);
  const { logger, bus } = openMainLog(server);
  prepareForChildren(server, logger);
  logParseMessages(logger, config, limitInfos);
  if (!reexec) clearAutoChildLogs(config); // across a reexec the AUTO logs are the running children's

  const supervision = buildSupervisor(config, read, logger, bus);
  if (reexec?.events) supervision.events.continueSerials(reexec.events.serial);
  const servers = new HttpServers(logger);
  const lifecycle = new Lifecycle({ supervisor: supervision.supervisor, events: supervision.events, servers, logger, read, pidfile: server.pidfile, systemd: supervision.systemd, cwd });
  exitWhenEssentialFails(supervision, lifecycle, logger);

  await servers.open(config, callOptions(config, supervision, logger, bus, lifecycle), reexec);
  announceStarted(config, logger, reexec);
  answerSignals(supervision.supervisor, lifecycle, logger);
  startProcesses(supervision, logger, reexec);
}

/** reexec's preflight (reexec/check.ts): the configuration read, the code loads; nothing else. */
function exitIfOnlyChecking(): void {
  if (!process.env[CHECK_ENV]) return;
  ensureNative();
  process.exit(0);
}

/** essential=true: a program the daemon cannot live without failed for good. */
function exitWhenEssentialFails({ supervisor }: Supervision, lifecycle: Lifecycle, logger: MainLog): void {
  supervisor.on('essentialFailed', (why) => {
    logger.critical(`${why}: stopping every process and exiting with status ${ESSENTIAL_EXIT_CODE}`);
    void lifecycle.exit(ESSENTIAL_EXIT_CODE);
  });
}

/** The servers' lines, the fork's (it happened before run(); supervisord logs it here), the pid file. */
function announceStarted(config: Config, logger: MainLog, reexec: ReexecState | null): void {
  logServersOpened(logger, config);
  if (isDaemonChild()) logger.info('daemonizing the supervisord process');
  writePidfile(config.supervisord.pidfile);
  if (reexec) logger.info(`supervisord re-executed with pid ${process.pid} (${Date.now() - reexec.at} ms)`);
  else logger.info(`supervisord started with pid ${process.pid}`);
}

/**
 * Events first (they see the groups added), then the groups; then the waiting parent may go.
 * After a reexec the fcgi sockets and the running processes are taken over, not started.
 */
function startProcesses({ supervisor, events, systemd }: Supervision, logger: MainLog, reexec: ReexecState | null): void {
  events.start();
  if (reexec) adoptSockets(supervisor, reexec);
  const adopt = (state: ReexecState) => () => {
    adoptProcesses(supervisor, state, logger);
    if (state.events?.listeners) events.restoreListeners(carriedListeners(supervisor, state, state.events.listeners));
  };
  supervisor.start(reexec ? adopt(reexec) : undefined);
  if (reexec) events.rememberPids();
  systemd?.started();
  if (!reexec) reportToParent({ ready: true });
  supervisor.on('processState', noteActivity);
  noteActivity();
}

function writePidfile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${process.pid}\n`);
  } catch (err) {
    throw new Error(`could not write pidfile ${path}: ${(err as Error).message}`);
  }
}

void main();
