/**
 * Process groups (options.process_groups_from_parser): [group:x] (heterogeneous), then the
 * homogeneous [program:x] not claimed by a [group:x], [eventlistener:x] pools and
 * [fcgi-program:x] groups; finally sorted by (priority, name) as supervisor's `groups.sort()`.
 */
import type { EventListenerConfig, FcgiSocketConfig, GroupConfig } from './types.js';
import type { LoadContext } from './context.js';
import { readerFor, warnOnce } from './context.js';
import type { SectionReader } from './section.js';
import { classifySection, DEFAULT_RESULT_HANDLER, DEFAULT_SOCKET_BACKLOG, EVENT_TYPES } from './schema.js';
import { byPriorityThenName, readProcesses, sectionProgramName } from './program.js';
import { isUnixSocketUrl, toSocketAddress } from './sockets.js';
import { nameToUid, ownerForUid, toOwner } from './users.js';
import { BadValue } from './errors.js';
import { toBoolean, toInteger, toListOfStrings, toOctal, toProcessOrGroupName } from './values.js';

export function readGroups(ctx: LoadContext): GroupConfig[] {
  const sections = [...ctx.doc.sections.values()].map((s) => ({ section: s, ...classifySection(s.name) }));
  const claimed = new Set<string>();
  const groups: GroupConfig[] = [];

  for (const { section, kind } of sections) {
    if (kind === 'group') groups.push(readHeterogeneousGroup(ctx, readerFor(ctx, section), claimed));
  }
  for (const { section, kind } of sections) {
    if (kind === 'program' && !claimed.has(section.name)) groups.push(readProgramGroup(ctx, readerFor(ctx, section)));
  }
  for (const { section, kind } of sections) {
    if (kind === 'eventlistener') groups.push(readEventListenerPool(ctx, readerFor(ctx, section)));
  }
  for (const { section, kind } of sections) {
    if (kind === 'fcgi-program' && !claimed.has(section.name)) groups.push(readFcgiGroup(ctx, readerFor(ctx, section)));
  }
  return groups.sort(byPriorityThenName);
}

function origin(r: SectionReader): { file: string; line: number } {
  return { file: r.section.file, line: r.section.line };
}

function groupName(r: SectionReader): string {
  try {
    return toProcessOrGroupName(r.name.slice(r.name.indexOf(':') + 1));
  } catch (e) {
    throw r.error(undefined, (e as Error).message);
  }
}

function readHeterogeneousGroup(ctx: LoadContext, r: SectionReader, claimed: Set<string>): GroupConfig {
  const name = groupName(r);
  const names = ctx.envNames;
  const programs = r.value('programs', names, toListOfStrings) ?? [];
  const priority = r.value('priority', names, toInteger, '999');
  const processes = [];
  for (const program of programs) {
    const plain = ctx.doc.sections.get(`program:${program}`);
    const fcgi = ctx.doc.sections.get(`fcgi-program:${program}`);
    if (!plain && !fcgi) throw r.error('programs', `[${r.name}] names unknown program or fcgi-program ${program}`);
    if (plain && fcgi) {
      throw r.error('programs', `[${r.name}] name ${program} is ambiguous (exists as program and fcgi-program)`);
    }
    const member = (plain ?? fcgi)!;
    if (fcgi) {
      warnOnce(
        ctx,
        `${fcgi.file}:${fcgi.line}: [${fcgi.name}] is a member of [${r.name}]: as in supervisor 4.2.5 it runs as a plain program (no socket is bound)`,
      );
    }
    claimed.add(member.name);
    processes.push(...readProcesses(ctx, readerFor(ctx, member), name));
  }
  return { name, kind: 'group', priority, processes, socket: null, listener: null, origin: origin(r) };
}

function readProgramGroup(ctx: LoadContext, r: SectionReader): GroupConfig {
  const name = sectionProgramName(r);
  const priority = r.value('priority', { ...ctx.envNames }, toInteger, '999');
  const processes = readProcesses(ctx, r, name);
  return { name, kind: 'program', priority, processes, socket: null, listener: null, origin: origin(r) };
}

function readEventListenerPool(ctx: LoadContext, r: SectionReader): GroupConfig {
  const name = r.name.slice(r.name.indexOf(':') + 1);
  const names = ctx.envNames;
  const priority = r.value('priority', names, toInteger, '-1');
  const bufferSize = r.value('buffer_size', names, toInteger, '10');
  if (bufferSize < 1) throw r.error('buffer_size', `[${r.name}] section sets invalid buffer_size (${bufferSize})`);
  const resultHandler = r.value('result_handler', names, (s) => s, DEFAULT_RESULT_HANDLER);
  if (resultHandler !== DEFAULT_RESULT_HANDLER) {
    const v = r.raw('result_handler')!;
    warnOnce(ctx, `${v.file}:${v.line}: [${r.name}] result_handler ${resultHandler} is a Python plugin: ignored, the default handler is used`);
  }
  const events = r.value('events', names, toEventNames, '');
  if (events.length === 0) throw r.missing('events', `[${r.name}] section requires an "events" line`);
  if (r.value('redirect_stderr', names, toBoolean, 'false')) {
    throw r.error(
      'redirect_stderr',
      `[${r.name}] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol`,
    );
  }
  const processes = readProcesses(ctx, r, name);
  const listener: EventListenerConfig = { events, bufferSize, resultHandler };
  return { name, kind: 'eventlistener', priority, processes, socket: null, listener, origin: origin(r) };
}

function toEventNames(s: string): string[] {
  const out: string[] = [];
  for (const name of toListOfStrings(s).map((x) => x.toUpperCase())) {
    if (!EVENT_TYPES.has(name)) throw new BadValue(`Unknown event type ${name}`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function readFcgiGroup(ctx: LoadContext, r: SectionReader): GroupConfig {
  const name = sectionProgramName(r);
  const names = ctx.envNames;
  const priority = r.value('priority', names, toInteger, '999');
  const procUid = r.value('user', names, (s) => nameToUid(ctx.users, s)) ?? null;
  const backlog = r.value('socket_backlog', names, (s) => {
    const n = toInteger(s);
    if (n < 1 || n > 65535) throw new BadValue(`Invalid socket_backlog value ${n} (1..65535)`);
    return n;
  });
  const owner = r.value('socket_owner', names, (s) => toOwner(ctx.users, s));
  const mode = r.value('socket_mode', names, toOctal);
  const url = r.string('socket', { ...names, program_name: name });
  if (!url) throw r.missing('socket', `[${r.name}] section requires a "socket" line`);
  const address = r.value('socket', { ...names, program_name: name }, toSocketAddress)!;
  if (!isUnixSocketUrl(url) && (owner !== undefined || mode !== undefined)) {
    throw r.error(
      owner !== undefined ? 'socket_owner' : 'socket_mode',
      'socket_owner and socket_mode params should only be used with a Unix domain socket',
    );
  }
  const pass = r.value('socket_pass', names, toSocketPass, 'stdin');
  const drain = r.value('socket_drain', names, toBoolean, 'false');
  if (drain && address.kind !== 'tcp') {
    throw r.error('socket_drain', 'socket_drain=true needs a TCP socket (a Unix socket cannot be steered per worker)');
  }
  const defaultOwner = procUid !== null && procUid !== ctx.uid ? ownerForUid(ctx.users, procUid) : null;
  const socket: FcgiSocketConfig = {
    address,
    backlog: backlog ?? DEFAULT_SOCKET_BACKLOG,
    owner: address.kind === 'unix' ? owner ?? defaultOwner : null,
    mode: mode ?? 0o700,
    pass,
    drain,
  };
  const processes = readProcesses(ctx, r, name);
  return { name, kind: 'fcgi-program', priority, processes, socket, listener: null, origin: origin(r) };
}

function toSocketPass(s: string): FcgiSocketConfig['pass'] {
  const v = s.trim().toLowerCase();
  if (v === 'stdin' || v === 'listen_fds') return v;
  throw new BadValue('not a valid socket_pass value (stdin or listen_fds)');
}
