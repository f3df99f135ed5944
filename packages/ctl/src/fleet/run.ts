/**
 * One command line against several servers at once (`-s` repeated, a `serverurl` list,
 * `--targets FILE`): each server gets a Ctl of its own running the same command objects as a
 * single-server run (dispatch's onecmd), its output caught by a NodeOutput and written prefixed
 * with the node's label (the name given, else `supervisor.getIdentification`): in the order the
 * servers were given, each as soon as it and those before it are done; `tail -f` and
 * `maintail -f` stream their lines as they come, interleaved; `--json` is one array whose items
 * carry a `node` field. A server that does not answer within `--timeout` seconds is reported
 * (`node X: …`) and does not hold the others. Exit status: the highest of the nodes'.
 * `top` is the exception: one live view over every node (commands/top.ts's runTop).
 * Loaded only when several servers are given.
 */
import { Ctl, type Output } from '../ctl.js';
import { runTop } from '../commands/top.js';
import { fleetNodes, type FleetNode } from './nodes.js';
import { onecmd, parseLine } from '../dispatch.js';
import { Exit, StatusExit, unexpectedErrorLine } from '../render/faults.js';
import { splitWords } from '../namespec.js';
import { jsonText } from '../render/json.js';
import type { Settings, Target } from '../options.js';

/** Text caught from one node's Ctl: whole lines, prefixed, handed on as they complete. */
class NodeOutput implements Output {
  private partial = { out: '', err: '' };
  readonly lines: Array<{ err: boolean; text: string }> = [];
  prefix = '';
  /** Set in streaming mode: lines go out at once. */
  sink: ((err: boolean, text: string) => void) | null = null;

  write(text: string): void {
    this.add(false, text);
  }
  writeError(text: string): void {
    this.add(true, text);
  }
  private add(err: boolean, text: string): void {
    const key = err ? 'err' : 'out';
    const parts = (this.partial[key] + text).split('\n');
    this.partial[key] = parts.pop()!;
    for (const line of parts) this.emit(err, line);
  }
  private emit(err: boolean, line: string): void {
    if (this.sink) this.sink(err, `${this.prefix}${line}\n`);
    else this.lines.push({ err, text: line });
  }
  /** What is left without its newline. */
  end(): void {
    for (const err of [false, true]) {
      const key = err ? 'err' : 'out';
      if (this.partial[key]) this.emit(err, this.partial[key]);
      this.partial[key] = '';
    }
  }
}

type Node = FleetNode<NodeOutput>;

const write = (err: boolean, text: string) => void (err ? process.stderr : process.stdout).write(text);

/** Whether the line follows logs (its output never ends: streamed rather than gathered). */
function follows(line: string): boolean {
  const { cmd, arg } = parseLine(line);
  return (cmd === 'tail' || cmd === 'maintail') && splitWords(arg)[0] === '-f';
}

export async function runFleet(settings: Settings, line: string): Promise<number> {
  const json = settings.json || splitWords(line).includes('--json');
  const streaming = follows(line);
  const nodes: Node[] = fleetNodes(settings, () => new NodeOutput());
  const { cmd, arg } = parseLine(line);
  // top: one live view of every node, each shown as it answers
  if (cmd === 'top') return runFleetTop(settings, nodes, arg);
  // Who is there: each node's label, within the timeout.
  await Promise.all(nodes.map((node) => node.answered));
  const width = Math.max(0, ...nodes.filter((n) => !n.failure).map((n) => n.label.length));
  let worst: number = Exit.SUCCESS;
  for (const node of nodes) {
    if (!node.failure) continue;
    write(true, `node ${node.label}: ${node.failure}\n`);
    worst = Math.max(worst, cmd === 'status' ? StatusExit.UNKNOWN : Exit.GENERIC);
  }
  const live = nodes.filter((n) => !n.failure);
  for (const node of live) {
    node.out.prefix = json ? '' : `${node.label.padEnd(width)} | `;
    if (streaming) node.out.sink = write;
  }
  // Run everywhere at once; print each node's output in the given order as it is done.
  const runs = live.map(async (node) => {
    try {
      await onecmd(node.ctl, line);
    } finally {
      node.out.end();
      node.ctl.close();
    }
  });
  const items: unknown[] = [];
  for (const [i, node] of live.entries()) {
    await runs[i]!.catch((err: unknown) => {
      node.out.writeError(`${unexpectedErrorLine(err, node.target.url)}\n`);
      node.ctl.exitstatus = Exit.GENERIC;
    });
    node.out.end();
    worst = Math.max(worst, node.ctl.exitstatus);
    if (streaming) continue;
    if (json) {
      items.push(...jsonItems(node));
      continue;
    }
    for (const l of node.out.lines) write(l.err, `${node.out.prefix}${l.text}\n`);
  }
  if (json && !streaming) write(false, `${jsonText(items)}\n`);
  return worst;
}

/** A node's `--json` output as items with its `node`; its other lines go to stderr prefixed. */
function jsonItems(node: Node): unknown[] {
  const text = node.out.lines.filter((l) => !l.err).map((l) => l.text).join('\n');
  for (const l of node.out.lines) if (l.err) write(true, `${node.label}: ${l.text}\n`);
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    write(true, `${node.label}: ${text}\n`);
    return [];
  }
  const tag = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? { node: node.label, ...v } : { node: node.label, value: v });
  return Array.isArray(value) ? value.map(tag) : [tag(value)];
}

/** `top` over the fleet: its lines go to this process's own output through a Ctl of no server. */
async function runFleetTop(settings: Settings, nodes: Node[], arg: string): Promise<number> {
  const console = new Ctl({ ...settings, targets: [], interactive: false });
  try {
    await runTop(console, nodes, arg, `tsupervisor top: ${nodes.length} servers`);
    return console.exitstatus;
  } finally {
    for (const node of nodes) node.ctl.close();
  }
}
