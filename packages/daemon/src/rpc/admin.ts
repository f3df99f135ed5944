/** Changing the daemon itself: shutdown, restart, reread, groups, update, stdin, events. */
import { Faults, RPCFault, type Handlers } from '@tsupervisor/protocol';
import type { Connection } from '@tsupervisor/protocol/server';
import { isEventTypeName, type SupervisorEvent } from '../events/index.js';
import { applyUpdate, planFromConfig } from '../update/apply.js';
import type { DaemonServices } from './services.js';

type AdminHandlers = Pick<
  Handlers<Connection>,
  | 'supervisor.shutdown'
  | 'supervisor.restart'
  | 'tsupervisor.reexec'
  | 'supervisor.reloadConfig'
  | 'supervisor.addProcessGroup'
  | 'supervisor.removeProcessGroup'
  | 'supervisor.sendProcessStdin'
  | 'supervisor.sendRemoteCommEvent'
  | 'tsupervisor.update'
  | 'tsupervisor.planUpdate'
  | 'tsupervisor.subscribeEvents'
>;

export function adminHandlers(services: DaemonServices): AdminHandlers {
  const sup = services.supervisor;
  return {
    'supervisor.shutdown': () => {
      services.requestShutdown();
      return true;
    },
    'supervisor.restart': () => {
      services.requestRestart();
      return true;
    },
    'tsupervisor.reexec': async () => {
      const why = await services.requestReexec();
      if (why) throw new RPCFault(Faults.CANT_REREAD, why);
      return true;
    },
    'supervisor.reloadConfig': () => sup.reloadConfig(),
    'supervisor.addProcessGroup': ({ name }) => {
      sup.addGroup(name);
      return true;
    },
    'supervisor.removeProcessGroup': async ({ name }) => {
      await sup.removeGroup(name);
      return true;
    },
    'supervisor.sendProcessStdin': ({ name, chars }) => {
      if (typeof chars !== 'string') throw new RPCFault(Faults.INCORRECT_PARAMETERS, 'chars must be a string');
      sup.findProcess(name).sendStdin(chars);
      return true;
    },
    'supervisor.sendRemoteCommEvent': ({ type, data }) => {
      sup.emit('remoteComm', { type, data });
      return true;
    },
    'tsupervisor.update': ({ names }) => applyUpdate(sup, names ?? []),
    'tsupervisor.planUpdate': ({ names }) => planFromConfig(sup, names ?? []).plan,
    'tsupervisor.subscribeEvents': ({ types, after }, connection) => {
      const wanted = types === undefined || types === null || (Array.isArray(types) && types.length === 0) ? ['EVENT'] : types;
      if (!Array.isArray(wanted) || wanted.some((t) => typeof t !== 'string')) {
        throw new RPCFault(Faults.INCORRECT_PARAMETERS, 'types must be a list of event type names');
      }
      const names = wanted.map((t) => t.toUpperCase());
      const unknown = names.find((t) => !isEventTypeName(t));
      if (unknown !== undefined) throw new RPCFault(Faults.BAD_ARGUMENTS, `Unknown event type ${unknown}`);
      const deliver = (event: SupervisorEvent) => {
        if (!event.matches(names)) return;
        const { serial, type, payload, data } = event;
        const params = data === undefined ? { serial, type, payload } : { serial, type, payload, data };
        if (!connection.notify('tsupervisor.event', params)) sup.off('event', listener);
      };
      // resumed (`after`): what it missed comes first, after the answer, then what is newer
      let queued: SupervisorEvent[] | null = after === undefined ? null : [...(services.recentEvents?.(after) ?? [])];
      const listener = (event: SupervisorEvent) => (queued ? queued.push(event) : deliver(event));
      sup.on('event', listener);
      connection.onClose(() => sup.off('event', listener));
      if (queued) {
        setImmediate(() => {
          const missed = queued ?? [];
          queued = null;
          for (const e of missed) if (!connection.closed) deliver(e);
        });
      }
      return true;
    },
  };
}
