/**
 * `top` on a terminal: the alternate screen in raw mode, redrawn (at most every 50 ms) when an
 * event, a stats reading, a log line, a key or a resize changes something. Keys move the
 * selection, sort (1-8, again to reverse), filter (`/`), act on the selected process or, after
 * `g`, its group (s start, x stop, r restart, K signal, c clear; stop and stop all ask first),
 * and `q` (or Ctrl-C) leaves, putting the terminal back as it was. Over several servers the
 * keys act through the selected row's node, and the screen shows at once: each node's rows
 * appear as it answers (feeds.ts).
 */
import { act, describeTarget, stopAll, type Action, type Target } from './actions.js';
import { Feeds, type TopNode } from './feeds.js';
import { parseKeys, type Key } from './keys.js';
import { columnsOf, emptyView, moveSelection, selectedRow, sortBy, visibleRows } from './model.js';
import { keysHelp, renderFrame } from './render.js';

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';
const REDRAW_MS = 50;

type Mode =
  | { kind: 'browse' }
  | { kind: 'filter'; before: string }
  | { kind: 'prompt'; label: string; text: string; done: (text: string) => void }
  | { kind: 'confirm'; question: string; yes: () => void };

export async function runScreen(nodes: readonly TopNode[], colour: boolean, title: string): Promise<void> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const fleet = nodes.length > 1;
  const view = emptyView(fleet);
  let mode: Mode = { kind: 'browse' };
  let message = '';
  let groupMode = false;
  let channel: 'stdout' | 'stderr' = 'stdout';
  let pending: NodeJS.Timeout | null = null;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const draw = () => {
    pending = null;
    const rows = visibleRows(view, Date.now());
    const footer = feeds.lost
      ? `${feeds.lost} (q to leave)`
      : mode.kind === 'filter'
        ? `/${view.filter}`
        : mode.kind === 'prompt'
          ? `${mode.label}${mode.text}`
          : mode.kind === 'confirm'
            ? `${mode.question} (y/N)`
            : message || `${groupMode ? '[group] ' : ''}${keysHelp(view)}`;
    const selected = selectedRow(view, rows);
    feeds.follow(selected?.node ?? null, selected?.name ?? null, channel);
    const logFeed = feeds.of(selected?.node);
    const lines = renderFrame({ view, width: stdout.columns || 80, height: stdout.rows || 24, colour, nowMs: Date.now(), title, logName: logFeed?.logName ?? null, logLines: logFeed?.log.all() ?? [], footer });
    stdout.write(`\x1b[H${lines.join('\x1b[K\r\n')}\x1b[K`);
  };
  const changed = () => {
    pending ??= setTimeout(draw, REDRAW_MS);
  };
  const feeds = new Feeds(view, nodes, changed);

  const target = (): Target | null => {
    const row = selectedRow(view, visibleRows(view, Date.now()));
    if (!row) return null;
    const node = fleet ? row.node : null;
    return groupMode ? { name: row.group, group: true, node } : { name: row.name, group: false, node };
  };
  /** The connection of the target's node (through the feed that brought its row). */
  const rpcOf = (t: Target) => feeds.of(t.node ?? '')!.ctl.rpc();
  const run = (action: Action, signal?: string) => {
    const t = target();
    if (!t) return;
    message = `${action} ${describeTarget(t)}…`;
    void rpcOf(t)
      .then((rpc) => act(rpc, action, t, signal))
      .then(
        (done) => (message = done),
        (err: Error) => (message = `${action} ${describeTarget(t)}: ${err.message}`),
      )
      .then(changed);
  };

  const browse = (key: Key) => {
    const rows = visibleRows(view, Date.now());
    const page = Math.max(1, (stdout.rows || 24) - 10);
    if (key === 'interrupt') return finish();
    if (key === 'up') return moveSelection(view, rows, -1);
    if (key === 'down') return moveSelection(view, rows, 1);
    if (key === 'pageup') return moveSelection(view, rows, -page);
    if (key === 'pagedown') return moveSelection(view, rows, page);
    if (key === 'home') return moveSelection(view, rows, -rows.length);
    if (key === 'end') return moveSelection(view, rows, rows.length);
    if (key === 'escape') return void (message = '');
    if (typeof key === 'string') return;
    const c = key.char;
    message = '';
    const columns = columnsOf(view);
    if (c >= '1' && c <= String(columns.length)) return sortBy(view, columns[Number(c) - 1]!);
    const t = target();
    switch (c) {
      case 'q':
        return finish();
      case 'j':
        return moveSelection(view, rows, 1);
      case 'k':
        return moveSelection(view, rows, -1);
      case '/':
        mode = { kind: 'filter', before: view.filter };
        return;
      case 'g':
        groupMode = !groupMode;
        message = groupMode ? 'keys act on the selected process group (g: back to the process)' : 'keys act on the selected process';
        return;
      case 'e':
        channel = channel === 'stdout' ? 'stderr' : 'stdout';
        return;
      case 's':
        return run('start');
      case 'r':
        return run('restart');
      case 'c':
        return run('clear');
      case 'x':
        if (t) mode = { kind: 'confirm', question: `stop ${describeTarget(t)}?`, yes: () => run('stop') };
        return;
      case 'K':
        if (t) mode = { kind: 'prompt', label: `signal for ${describeTarget(t)} (e.g. HUP, TERM, USR1): `, text: '', done: (sig) => run('signal', sig || 'TERM') };
        return;
      case 'A': {
        // one server: all of it, a row selected or not; several: the selected row's node
        const node = fleet ? (t?.node ?? null) : null;
        if (fleet && node === null) return;
        const feed = feeds.of(node ?? '');
        if (!feed) return;
        mode = {
          kind: 'confirm',
          question: node === null ? 'stop ALL processes?' : `stop ALL processes on node ${node}?`,
          yes: () => void feed.ctl.rpc().then(async (rpc) => ((message = await stopAll(rpc, node)), changed())),
        };
        return;
      }
    }
  };

  const onKey = (key: Key) => {
    if (feeds.lost && (key === 'interrupt' || (typeof key !== 'string' && key.char === 'q'))) return finish();
    switch (mode.kind) {
      case 'browse':
        return browse(key);
      case 'filter':
        if (key === 'enter') mode = { kind: 'browse' };
        else if (key === 'escape' || key === 'interrupt') ((view.filter = mode.before), (mode = { kind: 'browse' }));
        else if (key === 'backspace') view.filter = view.filter.slice(0, -1);
        else if (typeof key !== 'string') view.filter += key.char;
        return;
      case 'prompt': {
        const m = mode;
        if (key === 'enter') ((mode = { kind: 'browse' }), m.done(m.text.trim()));
        else if (key === 'escape' || key === 'interrupt') mode = { kind: 'browse' };
        else if (key === 'backspace') m.text = m.text.slice(0, -1);
        else if (typeof key !== 'string') m.text += key.char;
        return;
      }
      case 'confirm': {
        const m = mode;
        mode = { kind: 'browse' };
        if (typeof key !== 'string' && (key.char === 'y' || key.char === 'Y')) m.yes();
        else message = 'cancelled';
        return;
      }
    }
  };

  const restore = () => {
    if (stdin.isTTY) stdin.setRawMode(false);
    stdout.write(LEAVE_SCREEN);
  };
  // one server: its failure to start is the command's; several: each node joins as it answers
  const started = feeds.start(true);
  if (!fleet) await started;
  stdout.write(ENTER_SCREEN);
  process.on('exit', restore);
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  const onData = (data: string) => {
    for (const key of parseKeys(data)) onKey(key);
    changed();
  };
  stdin.on('data', onData);
  stdin.resume();
  stdout.on('resize', changed);
  draw();
  try {
    await finished;
  } finally {
    feeds.close();
    if (pending) clearTimeout(pending);
    stdin.off('data', onData);
    stdout.off('resize', changed);
    stdin.pause();
    restore();
    process.off('exit', restore);
  }
}
