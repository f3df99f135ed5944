/**
 * The servers of a fleet as nodes: each with a Ctl of its own (its output caught by the caller's
 * Output) and a label, the name given (`--targets`) or else, once it answers,
 * `supervisor.getIdentification`; a node that does not answer within `--timeout` seconds, or
 * refuses, gets the reason instead. Shared by every command run over several servers (run.ts)
 * and by `top` (top.ts), so both name and judge nodes alike.
 */
import { Ctl, type Output } from '../ctl.js';
import { unexpectedErrorLine } from '../render/faults.js';
import type { Settings, Target } from '../options.js';

export interface FleetNode<O extends Output = Output> {
  target: Target;
  ctl: Ctl;
  out: O;
  label: string;
  /** Why the node was left out (no answer, refused …), null when it answered. */
  failure: string | null;
  /** Settles once the node answered (failure null) or was left out. */
  answered: Promise<string | null>;
}

export function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A node per target, each asked who it is at once (`answered`). */
export function fleetNodes<O extends Output>(settings: Settings, output: () => O): Array<FleetNode<O>> {
  return settings.targets.map((target) => {
    const out = output();
    // the node's connection waits for its first answer as long as --timeout says, not less
    const ctl = new Ctl({ ...settings, serverurl: target.url, targets: [], interactive: false }, out, settings.timeout * 1000);
    const node: FleetNode<O> = { target, ctl, out, label: target.name ?? target.url.replace(/\/\/[^/@]*@/, '//'), failure: null, answered: Promise.resolve(null) };
    node.answered = identify(node, settings.timeout);
    return node;
  });
}

async function identify(node: FleetNode, timeout: number): Promise<string | null> {
  try {
    const rpc = await withTimeout(node.ctl.rpc(), timeout);
    const id = await withTimeout(rpc.call('supervisor.getIdentification'), timeout);
    if (node.target.name === null) node.label = id;
  } catch (err) {
    node.failure = err instanceof Error && /^no answer in/.test(err.message) ? err.message : unexpectedErrorLine(err, node.target.url);
    node.ctl.close();
  }
  return node.failure;
}
