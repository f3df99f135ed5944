/**
 * supervisor's web interface (supervisor/web.py), served on the HTTP side of the control socket
 * and [inet_http_server]: the status page (`/`, `/index.html`) with its actions, and
 * `tail.html`. Rendering only (pure); web/actions.ts performs what a link asks.
 */
import type { ProcessInfo } from '@tsupervisor/protocol';
import { SUPERVISOR_COMPAT, makeNamespec, pyCompare } from '@tsupervisor/protocol';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** supervisor's name for a process: `group:name`, or `name` when the group is its own. */
export function namespecOf(info: Pick<ProcessInfo, 'group' | 'name'>): string {
  return makeNamespec(info.group, info.name);
}

function stateClass(statename: string): string {
  if (statename === 'RUNNING') return 'statusrunning';
  if (statename === 'FATAL' || statename === 'BACKOFF') return 'statuserror';
  return 'statusnominal';
}

type Action = { label: string; href: string; blank?: boolean } | null;

/** web.py's actions_for_process: what the Action column offers in each state. */
function actionsFor(info: ProcessInfo): Action[] {
  const q = encodeURIComponent(namespecOf(info));
  const act = (label: string, action: string): Action => ({ label, href: `index.html?processname=${q}&action=${action}` });
  const tails: Action[] = [
    { label: 'Tail -f Stdout', href: `logtail/${q}`, blank: true },
    { label: 'Tail -f Stderr', href: `logtail/${q}/stderr`, blank: true },
  ];
  if (info.statename === 'RUNNING') return [act('Restart', 'restart'), act('Stop', 'stop'), act('Clear Log', 'clearlog'), ...tails];
  if (['STOPPED', 'EXITED', 'FATAL'].includes(info.statename)) return [act('Start', 'start'), null, act('Clear Log', 'clearlog'), ...tails];
  return [null, null, act('Clear Log', 'clearlog'), ...tails];
}

const STYLE = `body{font-family:Verdana,Arial,sans-serif;font-size:12px;margin:0;color:#333}
#wrapper{margin:0 20px}#header{padding:10px 0;font-size:20px;font-weight:bold;color:#444}
.status_msg{background:#ffffcc;border:1px solid #ddd;padding:6px 10px;margin:8px 0}
ul#buttons{list-style:none;padding:0;margin:10px 0}ul#buttons li{display:inline;margin-right:8px}
ul#buttons a{border:1px solid #bbb;border-radius:3px;padding:3px 8px;text-decoration:none;color:#333;background:#f4f4f4}
table{width:100%;border-collapse:collapse}th{text-align:left;border-bottom:2px solid #ccc;padding:4px}
td{padding:4px;border-bottom:1px solid #eee;vertical-align:top}tr.shade{background:#f7f7f7}
.statusrunning{color:#080;font-weight:bold}.statuserror{color:#c00;font-weight:bold}.statusnominal{color:#666}
td.action ul{list-style:none;margin:0;padding:0}td.action li{display:inline;margin-right:8px}
.hidden{display:none}#footer{margin:20px;color:#888;font-size:11px}
.live{display:none}body.js .live{display:table-cell}body.js td.live{white-space:nowrap}
#livebar{margin:8px 0}#filter{padding:4px 8px;border:1px solid #bbb;border-radius:3px;width:14em}
.conn{margin-left:8px;font-size:11px;padding:2px 6px;border-radius:8px;background:#eee}.conn.up{background:#dfd;color:#060}.conn.down{background:#fdd;color:#900}
tr.filtered{display:none}tr.selected{outline:2px solid #7ab}tr.grouprow td{background:#eef3f7;font-weight:bold}
button.fold{border:0;background:none;font:inherit;cursor:pointer;padding:0}button.fold::before{content:'\\25BE  '}tr.folded button.fold::before{content:'\\25B8  '}
svg.spark{vertical-align:middle;margin-right:6px}svg.spark polyline{fill:none;stroke-width:1.5}svg.cpu polyline{stroke:#c60}svg.mem polyline{stroke:#36c}svg.queue polyline{stroke:#a3a}
.fig{display:inline-block;min-width:4.5em;font-variant-numeric:tabular-nums}.pool{margin:4px 0}.poolname{display:inline-block;min-width:22em}
#log{background:#1e1e1e;color:#ddd;padding:8px;height:16em;overflow:auto;white-space:pre-wrap;font-size:12px;border-radius:3px}
#live{margin:0 20px}#live h3{font-size:13px;margin:14px 0 6px}
@media (max-width:700px){td.action li{display:block}th.desc,td:nth-child(2){display:none}body.js td.live svg{width:60px}#wrapper,#live{margin:0 6px}}
`;

/** `stylesheets/supervisor.css` (supervisord serves its own; this one is small). */
export const STYLESHEET = STYLE;

/** Infos in the page's order: by name, as supervisor sorts them. */
export function sortedInfos(infos: readonly ProcessInfo[]): ProcessInfo[] {
  return [...infos].sort((a, b) => pyCompare(namespecOf(a), namespecOf(b)));
}

/**
 * One process's row (the `i`th, for the shading). The live page (web/live.ts) sends the same
 * row again when the process changes; its two `live` cells (CPU, memory charts) stay empty and
 * hidden without scripts.
 */
export function renderRow(info: ProcessInfo, i: number): string {
  const spec = escapeHtml(namespecOf(info));
  const actions = actionsFor(info)
    .map((a) =>
      a
        ? `<li><a href="${escapeHtml(a.href)}" name="${a.label}"${a.blank ? ' target="_blank"' : ''}>${a.label}</a></li>`
        : '<li><a class="hidden" href="#" name="#">Action</a></li>',
    )
    .join('');
  // a running row carries its start time, so live.js can advance the uptime between events
  const start = info.statename === 'RUNNING' && info.start ? ` data-start="${info.start}"` : '';
  return `<tr class="${i % 2 === 1 ? 'shade' : ''}" data-name="${spec}" data-group="${escapeHtml(info.group)}"${start}>
<td class="status"><span class="${stateClass(info.statename)}">${info.statename.toLowerCase()}</span></td>
<td><span>${escapeHtml(info.description)}</span></td>
<td><a href="tail.html?processname=${escapeHtml(encodeURIComponent(namespecOf(info)))}" target="_blank">${spec}</a></td>
<td class="action"><ul>${actions}</ul></td>
<td class="live cpu"></td><td class="live mem"></td>
</tr>`;
}

/** The status page: one row per process, sorted by name as supervisor does, and `message` on top. */
export function renderStatusPage(infos: readonly ProcessInfo[], message: string | null, now: Date): string {
  const rows = sortedInfos(infos)
    .map((info, i) => renderRow(info, i))
    .join('\n');
  return `<!DOCTYPE html>
<html>
<head>
<title>Supervisor Status</title>
<meta name="viewport" content="width=device-width, initial-scale=1" />
<link href="stylesheets/supervisor.css" rel="stylesheet" type="text/css" />
<script src="live.js" defer></script>
</head>
<body>
<div id="wrapper">
<div id="header">Supervisor status</div>
<div>
${message ? `<div class="status_msg">${escapeHtml(message)}</div>` : '<div class="hidden">#</div>'}
<form action="index.html" method="post">
<ul class="clr" id="buttons">
<li class="action-button"><a href="index.html?action=refresh">Refresh</a></li>
<li class="action-button"><a href="index.html?action=restartall">Restart All</a></li>
<li class="action-button"><a href="index.html?action=stopall">Stop All</a></li>
</ul>
<table cellspacing="0">
<thead><tr><th class="state">State</th><th class="desc">Description</th><th class="name">Name</th><th class="action">Action</th><th class="live">CPU</th><th class="live">Memory</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</form>
</div>
</div>
<div id="live"></div>
<div class="clr" id="footer">tsupervisor (supervisor ${SUPERVISOR_COMPAT} compatible) &copy; ${now.getFullYear()}</div>
</body>
</html>
`;
}

/** tail.html: the last 1,024 bytes of a process's stdout log, or what went wrong. */
export function renderTailPage(namespec: string, text: string): string {
  const q = escapeHtml(encodeURIComponent(namespec));
  return `<!DOCTYPE html>
<html>
<head>
<title>Supervisor tail of process ${escapeHtml(namespec)}</title>
</head>
<body>
<div>
<pre>${escapeHtml(text)}</pre>
<form action="index.html" method="POST">
<div style="margin-top: 10px;">
<a href="tail.html?processname=${q}&amp;limit=1024"><input name="refresh" type="button" value=" Refresh " /></a>
</div>
</form>
</div>
</body>
</html>
`;
}

/** Python's time.ctime(): `Fri Nov 27 01:07:21 2026`, the day padded with a space. */
export function ctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** Python's urllib.parse.quote (safe '/'), for the message in a redirect. */
export function pyQuote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}
