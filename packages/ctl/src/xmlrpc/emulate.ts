/**
 * The tsupervisor.* calls the ctl's commands make, done against supervisord 4.2.5 the way
 * supervisorctl 4.2.5 does the same commands, so their output is supervisorctl's:
 * - `tsupervisor.update`: do_update (reloadConfig, then stopProcessGroup / removeProcessGroup /
 *   addProcessGroup per group), its lines returned as the table's UpdateActions in the same order;
 * - `tsupervisor.followLogs`: supervisorctl's tail -f, a streaming GET of /logtail/NAME/CHANNEL
 *   (or /mainlogtail) per process, its chunks pushed as `tsupervisor.log` notifications; a group
 *   (`g:*`) or several names become one stream per process (supervisorctl follows one only).
 */
import { Faults, RPCFault, type LogChannel, type ProcessInfo, type ReloadResult, type UpdateAction } from '@tsupervisor/protocol';
import { makeNamespec, splitNamespec } from '../namespec.js';
import type { XmlRpcClient } from './transport.js';

type Emulation = (client: XmlRpcClient, params: Record<string, unknown>) => Promise<unknown>;

/** supervisorctl's do_update, step for step. */
async function update(client: XmlRpcClient, params: Record<string, unknown>): Promise<{ actions: UpdateAction[] }> {
  const { added, changed, removed } = (await client.call('supervisor.reloadConfig')) as ReloadResult;
  const valid = new Set((params['names'] as string[] | undefined) ?? []);
  const actions: UpdateAction[] = [];
  if (valid.size > 0) {
    const groups = new Set((await client.call('supervisor.getAllProcessInfo')).map((info) => info.group));
    for (const g of added) groups.add(g);
    for (const g of valid) if (!groups.has(g)) actions.push({ group: g, action: 'nosuchgroup' });
  }
  const wanted = (g: string) => valid.size === 0 || valid.has(g);
  for (const g of removed.filter(wanted)) {
    const results = await client.call('supervisor.stopProcessGroup', { name: g });
    actions.push({ group: g, action: 'stopped' });
    if (results.some((r) => r.status === Faults.FAILED)) {
      actions.push({ group: g, action: 'problems' });
      continue;
    }
    await client.call('supervisor.removeProcessGroup', { name: g });
    actions.push({ group: g, action: 'removed' });
  }
  for (const g of changed.filter(wanted)) {
    await client.call('supervisor.stopProcessGroup', { name: g });
    actions.push({ group: g, action: 'stopped' });
    await client.call('supervisor.removeProcessGroup', { name: g });
    await client.call('supervisor.addProcessGroup', { name: g });
    actions.push({ group: g, action: 'updated' });
  }
  for (const g of added.filter(wanted)) {
    await client.call('supervisor.addProcessGroup', { name: g });
    actions.push({ group: g, action: 'added' });
  }
  return { actions };
}

/** supervisor's /logtail starts with a log's last 1024 bytes: a first chunk that long may start mid-line. */
const HEAD = 1024;

/** Namespecs to follow: a group (`g:*`, `g:`) becomes its processes, in the daemon's order. */
async function expand(client: XmlRpcClient, names: string[]): Promise<string[]> {
  if (names.every((n) => splitNamespec(n)[1] !== null)) return names;
  const infos: ProcessInfo[] = await client.call('supervisor.getAllProcessInfo');
  return names.flatMap((n) => {
    const [group, process] = splitNamespec(n);
    if (process !== null) return [n];
    const members = infos.filter((i) => i.group === group).map((i) => makeNamespec(i.group, i.name));
    if (members.length === 0) throw new RPCFault(Faults.BAD_NAME, n);
    return members;
  });
}

async function followLogs(client: XmlRpcClient, params: Record<string, unknown>): Promise<string[]> {
  const channel = params['channel'] as LogChannel;
  const main = params['main'] === true;
  const names = main ? ['supervisord'] : await expand(client, params['names'] as string[]);
  let open = names.length;
  const ended = () => {
    if (--open === 0) client.ended();
  };
  const statuses = await Promise.all(
    names.map((name) => {
      let first = true;
      const path = main ? '/mainlogtail' : `/logtail/${name}/${channel}`;
      return client.stream(
        path,
        (data) => {
          const head = first;
          first = false;
          client.notify('tsupervisor.log', { name, channel, data, ...(head ? { head: true, partial: data.length >= HEAD } : {}) });
        },
        ended,
      );
    }),
  );
  const missing = statuses.findIndex((s) => s !== 200);
  if (missing >= 0) {
    client.close();
    throw new RPCFault(Faults.BAD_NAME, names[missing]);
  }
  return main ? [] : names;
}

export const EMULATED: Record<string, Emulation | undefined> = {
  'tsupervisor.update': update,
  'tsupervisor.followLogs': followLogs,
};
