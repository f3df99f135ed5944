/**
 * tsupervisord: parse the command line, read the configuration, go to the background (unless
 * nodaemon), open the main log and the control socket, start the process groups, and turn
 * signals into shutdown (TERM, INT, QUIT), restart (HUP) and log reopening (USR2).
 */
import { noteActivity, noticingCalls } from './memory.js';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes, Faults, RPCFault, SUPERVISOR_COMPAT, hasCode, pyRepr } from '@tsupervisor/protocol';
import { parseDaemonArgs, USAGE, UsageError } from './cli.js';
import { SAMPLE_CONFIG } from './config/sample.js';
import { ConfigError, findConfigFile, loadConfig, noConfigFileMessage, readUserDb } from './config/index.js';
import { nameToUid } from './config/users.js';
import type { Config, InetHttpServerConfig, UnixHttpServerConfig } from './config/types.js';
import { daemonize, isDaemonChild, reportToParent } from './daemonize.js';
import { EventSystem } from './events/index.js';
import { clearAutoChildLogDir, LogBus, MAIN_LOG_NAME, MainLog, mainLogOptions } from './logs/index.js';
import { getrlimit, setrlimit } from './native/index.js';
import { applyOverrides } from './overrides.js';
import { LimitError, raiseLimits } from './rlimits.js';
import { realOs } from './os-seam.js';
import { ChildLogs, outputEcho, type ChildLogShared } from './process/child-logs.js';
import { createHandlers } from './rpc/handlers.js';
import { AlreadyRunning, startControlServer } from './servers/control-server.js';
import { ServerSlot } from './servers/server-slot.js';
import { auditPath } from './calls/audit.js';
import { Supervisor } from './supervisor.js';
import { MetricsRecorder } from './metrics/recorder.js';
import { ESSENTIAL_EXIT_CODE } from './process/essential.js';
import { installLastResort } from './last-resort.js';
import { dropPrivileges, PrivilegeError } from './privileges.js';
import { startReaper } from './reaper.js';
import { ensureNative } from './native/index.js';
import { CHECK_ENV, takeState, type ReexecState } from './reexec/state.js';
import { adoptProcesses, adoptSockets, claimChildren } from './reexec/adopt.js';
import { checkNextImage } from './reexec/check.js';
import { execAgain } from './reexec/exec.js';

const PROGRAM = 'tsupervisord';

function fail(message: string, code = 2): never {
  process.stderr.write(`Error: ${message}\nFor help, use ${PROGRAM} -h\n`);
  process.exit(code);
}

function readConfig(file: string, overrides: Record<string, string>, cwd: string): Config {
  const config = loadConfig(file, { cwd });
  return { ...config, supervisord: applyOverrides(config.supervisord, overrides, cwd) };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseDaemonArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (args.version) {
    process.stdout.write(`${SUPERVISOR_COMPAT}\n`);
    process.exit(0);
  }
  if (args.echoConfig) {
    process.stdout.write(SAMPLE_CONFIG);
    process.exit(0);
  }
  // reexec (issue 14): the previous image of this process left its state (reexec/state.ts)
  const reexec = takeState();
  if (reexec) claimChildren(reexec);
  const cwd = reexec?.cwd ?? process.cwd();
  const discover = { execPath: process.argv[1] ?? process.execPath, cwd };
  const file = args.configuration ?? findConfigFile(discover);
  if (!file) fail(noConfigFileMessage(discover));
  const read = () => readConfig(file, args.overrides, cwd);
  let config: Config;
  try {
    config = read();
  } catch (err) {
    // A -c file that does not exist is supervisord's own line (no position to add).
    if (err instanceof ConfigError && hasCode(err, ErrorCodes.CONFIG_NOT_FOUND)) fail(err.reason);
    if (err instanceof ConfigError) fail(err.message, err.exitCode);
    if (err instanceof UsageError) fail(err.message);
    throw err;
  }

  // reexec's preflight (reexec/check.ts): the configuration reads and the code loads
  if (process.env[CHECK_ENV]) {
    ensureNative();
    process.exit(0);
  }
  const server = config.supervisord;
  if (!server.nodaemon && !isDaemonChild() && !reexec) await daemonize();

  try {
    // minfds/minprocs (a refusal reaches the terminal through the waiting parent)
    // user= first, as supervisord's set_uid_or_exit (its line is logged before the limits')
    const uidInfo = dropPrivileges(server.user, readUserDb());
    const limitInfos = raiseLimits(server.minfds, server.minprocs, { getrlimit, setrlimit });
    await run(config, read, uidInfo ? [uidInfo, ...limitInfos] : limitInfos, { cwd, reexec });
  } catch (err) {
    // supervisord reports these through usage(): exit 2, the help line follows.
    const usage = err instanceof AlreadyRunning || err instanceof LimitError || err instanceof PrivilegeError;
    const code = usage ? 2 : 1;
    const help = usage ? `For help, use ${PROGRAM} -h\n` : '';
    const message = `Error: ${(err as Error).message}\n${help}`;
    reportToParent({ ready: false, code, message });
    process.stderr.write(message);
    process.exit(code);
  }
}

/** `limitInfos`: raiseLimits' lines, logged with the configuration's at the first start. */
async function run(config: Config, read: () => Config, limitInfos: readonly string[], started: { cwd: string; reexec: ReexecState | null }): Promise<void> {
  const { reexec } = started;
  const server = config.supervisord;
  // As supervisord's daemonize(): directory= and umask= apply only when it forks into the
  // background; with nodaemon=true the daemon keeps the umask it was started with.
  if (isDaemonChild()) {
    if (server.directory) process.chdir(server.directory);
  }
  const bus = new LogBus();
  const logger = new MainLog({
    ...mainLogOptions(server),
    onLine: (line) => bus.publish(MAIN_LOG_NAME, 'stdout', line),
  });
  installLastResort(logger);
  // after the main log is open: supervisord opens it before it forks, with the umask it had
  if (isDaemonChild()) process.umask(server.umask);
  // Container PID 1 mode: adopt and reap orphaned grandchildren (before the first spawn).
  if (server.nodaemon || process.pid === 1) startReaper(logger);
  logParseMessages(logger, config, limitInfos);
  // (not across reexec: the AUTO logs are the running children's)
  if (!server.nocleanup && !reexec) clearAutoChildLogDir(server.childlogdir, server.identifier);

  const echoOutput = logger.enabled('debug');
  // What every process's logs share: one object per configuration read.
  let shared: { config: Config; value: ChildLogShared } | null = null;
  const logShared = (cfg: Config): ChildLogShared => {
    if (shared?.config !== cfg) {
      shared = {
        config: cfg,
        value: {
          childlogdir: cfg.supervisord.childlogdir,
          identifier: cfg.supervisord.identifier,
          stripAnsi: cfg.supervisord.stripAnsi,
          logger,
          onData: (owner, channel, chunk) => {
            // the group it is in now: update may have moved it into or out of a [group:x]
            const { process: pc, group } = owner;
            bus.publish(group.name === pc.name ? pc.name : `${group.name}:${pc.name}`, channel, chunk);
            events.logged(pc, group, channel, chunk);
            // an event listener's stdout is its protocol channel: supervisor does not echo it
            if (echoOutput && !(group.kind === 'eventlistener' && channel === 'stdout')) logger.debug(outputEcho(pc.name, channel, chunk));
          },
        },
      };
    }
    return shared.value;
  };
  const supervisor: Supervisor = new Supervisor(config, {
    os: realOs,
    logger,
    readConfig: read,
    createOutput: (pc, group, cfg, owner) => {
      const logs = new ChildLogs(pc, group.kind === 'eventlistener', owner, logShared(cfg));
      const output = events.wrapOutput(owner, logs);
      metrics.trackLogs(output, logs);
      return output;
    },
  });
  const events = new EventSystem(supervisor, { logger, clock: realOs });
  // counters for /metrics (the collectors load with the HTTP side)
  const metrics = new MetricsRecorder(supervisor, events);

  // [unix_http_server] and [inet_http_server], re-applied at each reload
  let control: ServerSlot<UnixHttpServerConfig> | null = null;
  let inet: ServerSlot<InetHttpServerConfig> | null = null;
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await supervisor.shutdown();
    control?.close();
    inet?.close();
    try {
      if (control?.config) unlinkSync(control.config.file);
    } catch {
      /* gone */
    }
    try {
      unlinkSync(server.pidfile);
    } catch {
      /* gone */
    }
    logger.debug('supervisord exiting');
    await logger.close();
    process.exit(code);
  };
  // essential=true: a program the daemon cannot live without failed for good
  supervisor.on('essentialFailed', (why: string) => {
    logger.critical(`${why}: stopping every process and exiting with status ${ESSENTIAL_EXIT_CODE}`);
    void exit(ESSENTIAL_EXIT_CODE);
  });
  /**
   * Reload: the configuration is read before anything stops. One that no longer reads is
   * refused (the ctl gets CANT_REREAD naming file:line; SIGHUP logs it) and everything keeps
   * running — where supervisord stops every process and then exits on it.
   */
  const readForRestart = (): Config => {
    try {
      return read();
    } catch (err) {
      if (err instanceof ConfigError || err instanceof UsageError) throw new RPCFault(Faults.CANT_REREAD, err.message);
      throw err;
    }
  };
  const restart = (next: Config) => {
    logger.debug('supervisord restarting');
    // supervisord runs its start-up again: the same log lines, AUTO child logs cleared.
    void supervisor.restart(next, () => {
      logParseMessages(logger, next);
      if (!next.supervisord.nocleanup) clearAutoChildLogDir(next.supervisord.childlogdir, next.supervisord.identifier);
      void control?.apply(next.unixHttpServer ?? null, () => exiting);
      void inet?.apply(next.inetHttpServer ?? null, () => exiting);
      logServersOpened(logger, next);
      logger.info(`supervisord started with pid ${process.pid}`);
    });
  };

  /**
   * reexec (issue 14): check that the installed code and the configuration load, then execute
   * this daemon again in place (reexec/exec.ts); the children keep running. Resolves with why
   * not (nothing changed), or never (the exec replaced this image).
   */
  let reexecing = false;
  const requestReexec = async (): Promise<string | null> => {
    if (supervisor.mood !== 'RUNNING') return 'shutting down';
    if (reexecing) return 'a reexec is already under way';
    reexecing = true;
    try {
      const check = await checkNextImage(started.cwd);
      if (!check.ok) return check.why;
      if (supervisor.mood !== 'RUNNING') return 'shutting down';
      // the answer goes out first: the exec starts once this turn is over
      setTimeout(() => {
        void execAgain({
          supervisor,
          logger,
          cwd: started.cwd,
          closeServers: async () => {
            control?.close();
            inet?.close();
          },
          reopenServers: async () => {
            await control?.start();
            await inet?.start();
          },
        }).finally(() => {
          reexecing = false;
        });
      }, 10);
      return null;
    } catch (err) {
      reexecing = false;
      throw err;
    }
  };

  // Without [unix_http_server] and [inet_http_server] supervisord runs all the same, with no
  // way in but signals.
  const rpc = {
    logger,
    accepting: () => supervisor.mood === 'RUNNING',
    auditPath: auditPath(config.supervisord),
    metrics,
    handlers: noticingCalls(createHandlers({
      supervisor,
      mainLog: logger,
      requestShutdown: () => setImmediate(() => void exit(0)),
      requestRestart: () => {
        const next = readForRestart();
        setImmediate(() => restart(next));
      },
      followOutput: (name, channel, listener) => bus.subscribeRaw(name, channel, listener),
      requestReexec,
      metrics,
    })),
  };
  control = new ServerSlot(
    config.unixHttpServer ?? null,
    (c) => startControlServer({ config: c, ...rpc }),
    (c, err) => logger.critical(`[unix_http_server] file=${c.file}: ${(err as Error).message}`),
  );
  await control.start();
  // supervisor's HTTP server on TCP: its module is loaded only when the section is there
  inet = new ServerSlot(
    config.inetHttpServer ?? null,
    async (c) => (await import('./servers/inet-server.js')).startInetHttpServer({ config: c, ...rpc }),
    async (c, err) => logger.critical(`[inet_http_server] port=${c.port}: ${(await import('./servers/inet-server.js')).openErrorMessage(err)}`),
  );
  await inet.start();
  logServersOpened(logger, config);
  // (the fork itself happened before run(); supervisord logs it at this point)
  if (isDaemonChild()) logger.info('daemonizing the supervisord process');
  writePidfile(server.pidfile);
  if (reexec) logger.info(`supervisord re-executed with pid ${process.pid} (${Date.now() - reexec.at} ms)`);
  else logger.info(`supervisord started with pid ${process.pid}`);

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
    process.on(sig, () => {
      logger.warn(`received ${sig} indicating exit request`);
      void exit(0);
    });
  }
  process.on('SIGHUP', () => {
    if (supervisor.mood !== 'RUNNING') {
      logger.warn('ignored SIGHUP indicating restart request (shutdown in progress)');
      return;
    }
    logger.warn('received SIGHUP indicating restart request');
    let next: Config;
    try {
      next = readForRestart();
    } catch (err) {
      logger.error(`not restarting, the running configuration is kept: ${(err as Error).message}`);
      return;
    }
    restart(next);
  });
  // SIGUSR1 (unused by supervisord 4.2.5): reexec, as `tsupervisorctl reexec`
  process.on('SIGUSR1', () => {
    logger.warn('received SIGUSR1 indicating reexec request');
    void requestReexec().then(
      (why) => why && logger.error(`not re-executing, the running daemon goes on: ${why}`),
      (err) => logger.error(`not re-executing: ${(err as Error).message}`),
    );
  });
  process.on('SIGUSR2', () => {
    logger.info('received SIGUSR2 indicating log reopen request');
    void logger.reopen();
    for (const p of supervisor.allByPriority()) void p.output.reopen(true);
  });

  events.start();
  if (reexec) adoptSockets(supervisor, reexec);
  supervisor.start(reexec ? () => adoptProcesses(supervisor, reexec, logger) : undefined);
  if (!reexec) reportToParent({ ready: true });
  supervisor.on('processState', noteActivity);
  noteActivity();
}

const RUNNING_AS_ROOT =
  'Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  ' +
  'If you intend to run as root, you can set user=root in the config file to avoid this message.';
const NO_AUTH = (section: string) => `Server '${section}' running without any HTTP authentication checking`;

/** supervisor's options.make_logger: parse criticals, warnings, then infos (`extraInfos` last). */
function logParseMessages(logger: MainLog, config: Config, extraInfos: readonly string[] = []): void {
  const server = config.supervisord;
  const asRoot = process.getuid?.() === 0;
  if (server.user === null && asRoot) logger.critical(RUNNING_AS_ROOT);
  for (const w of config.warnings) logger.warn(w);
  for (const line of config.infos) logger.info(line);
  for (const line of extraInfos) logger.info(line);
}

/**
 * What supervisord logs as it opens its HTTP servers (http.make_http_servers): for each server,
 * [inet_http_server] first, its RPC interfaces (built once per server, so one line each per
 * server) and then, without credentials, the CRIT line; no server, no line.
 */
function logServersOpened(logger: MainLog, config: Config): void {
  const servers: Array<[string, InetHttpServerConfig | UnixHttpServerConfig | null | undefined]> = [
    ['inet_http_server', config.inetHttpServer],
    ['unix_http_server', config.unixHttpServer],
  ];
  for (const [section, server] of servers) {
    if (!server) continue;
    for (const name of config.rpcInterfaces ?? []) logger.info(`RPC interface ${pyRepr(name)} initialized`);
    if (server.username === null) logger.critical(NO_AUTH(section));
  }
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
