/**
 * `/live.js`: what makes the status page live where the browser runs scripts (the page works
 * without it, as supervisor's). It reads `/events` (web/live.ts): rows replaced in place as the
 * daemon pushes state changes, CPU and memory charts of the last two minutes per process, the
 * fcgi accept-queue charts, a log pane following the selected process (a streamed
 * `/logtail/<name>`), groups that fold, a filter, and the action links run without leaving the
 * page (the row changes when the daemon says so). Plain browser JavaScript, no library.
 */
export const LIVE_SCRIPT = `(() => {
'use strict';
const KEEP = 120;
const history = new Map();
const pools = new Map();
const folded = new Set();
let selected = null;
let logAbort = null;
const $ = (sel, root = document) => root.querySelector(sel);
const tbody = $('table tbody');
const live = $('#live');
if (!tbody || !live || !window.EventSource) return;
document.body.classList.add('js');

const bar = document.createElement('div');
bar.id = 'livebar';
bar.innerHTML = '<input id="filter" type="search" placeholder="filter by name" aria-label="filter by name"> <span id="conn" class="conn">connecting</span>';
$('#buttons').after(bar);
const filter = $('#filter');
live.innerHTML = '<div id="pools"></div><h3 id="logtitle">Log (click a name)</h3><pre id="log"></pre>';

const bytes = (b) => { if (b == null) return '-'; const u = ['B','K','M','G']; let i = 0; while (b >= 1024 && i < 3) { b /= 1024; i++; } return (b >= 100 || i === 0 ? Math.round(b) : b.toFixed(1)) + u[i]; };
function spark(values, max, cls) {
  const w = 120, h = 24, n = values.length;
  if (n === 0) return '';
  const top = Math.max(max, ...values.map((v) => v || 0)) || 1;
  const pts = values.map((v, i) => ((i + KEEP - n) * w / (KEEP - 1)).toFixed(1) + ',' + (h - 1 - (v || 0) * (h - 2) / top).toFixed(1)).join(' ');
  return '<svg class="spark ' + cls + '" viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" aria-hidden="true"><polyline points="' + pts + '"/></svg>';
}
function paintCharts(tr) {
  const h = history.get(tr.dataset.name);
  if (!h) return;
  const last = h.cpu.length ? h.cpu[h.cpu.length - 1] : null;
  tr.querySelector('td.cpu').innerHTML = spark(h.cpu, 5, 'cpu') + '<span class="fig">' + (last == null ? '-' : last.toFixed(1) + '%') + '</span>';
  tr.querySelector('td.mem').innerHTML = spark(h.rss, 0, 'mem') + '<span class="fig">' + bytes(h.rss[h.rss.length - 1]) + '</span>';
}
function applyFilterAndFolds() {
  const needle = filter.value.toLowerCase();
  for (const tr of tbody.querySelectorAll('tr[data-name]')) {
    const hide = !tr.dataset.name.toLowerCase().includes(needle) || folded.has(tr.dataset.group) && tr.dataset.name !== tr.dataset.group;
    tr.classList.toggle('filtered', hide);
    tr.classList.toggle('selected', tr.dataset.name === selected);
  }
  for (const g of tbody.querySelectorAll('tr.grouprow')) g.classList.toggle('folded', folded.has(g.dataset.groupHead));
}
function setRows(rows) {
  const counts = new Map();
  for (const r of rows) counts.set(r.group, (counts.get(r.group) || 0) + 1);
  let html = '';
  let lastGroup = null;
  for (const r of rows) {
    const grouped = r.name !== r.group;
    if (grouped && r.group !== lastGroup) html += '<tr class="grouprow" data-group-head="' + r.group.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';') + '"><td colspan="6"><button type="button" class="fold">' + r.group.replace(/[&<>]/g, '') + ' (' + counts.get(r.group) + ')</button></td></tr>';
    lastGroup = grouped ? r.group : null;
    html += r.html;
  }
  tbody.innerHTML = html;
  for (const tr of tbody.querySelectorAll('tr[data-name]')) paintCharts(tr);
  applyFilterAndFolds();
}
// the uptime in a running row's description, advanced at each stats message (the daemon's clock)
// as supervisor's describe() writes it: H:MM:SS, 1 day, H:MM:SS, N days, H:MM:SS
function uptime(seconds) {
  const t = Math.max(0, Math.floor(seconds)), d = Math.floor(t / 86400), r = t % 86400;
  const two = (n) => String(n).padStart(2, '0');
  const hms = Math.floor(r / 3600) + ':' + two(Math.floor(r % 3600 / 60)) + ':' + two(r % 60);
  return d === 0 ? hms : d + (d === 1 ? ' day, ' : ' days, ') + hms;
}
function tickUptimes(nowMs) {
  for (const tr of tbody.querySelectorAll('tr[data-start]')) {
    const span = tr.querySelector('td:nth-child(2) span');
    if (span) span.textContent = span.textContent.replace(/uptime .*$/, 'uptime ' + uptime(nowMs / 1000 - Number(tr.dataset.start)));
  }
}
function setStats(s) {
  tickUptimes(s.time);
  for (const p of s.processes) {
    let h = history.get(p.name);
    if (!h) history.set(p.name, (h = { cpu: [], rss: [] }));
    h.cpu.push(p.cpu); h.rss.push(p.rss);
    if (h.cpu.length > KEEP) { h.cpu.shift(); h.rss.shift(); }
  }
  for (const tr of tbody.querySelectorAll('tr[data-name]')) paintCharts(tr);
  for (const f of s.fcgi) {
    let q = pools.get(f.address);
    if (!q) pools.set(f.address, (q = []));
    q.push(f.queued); if (q.length > KEEP) q.shift();
  }
  $('#pools').innerHTML = s.fcgi.length === 0 ? '' : '<h3>FastCGI accept queues</h3>' + s.fcgi.map((f) =>
    '<div class="pool"><span class="poolname">' + f.group + ' ' + f.address + '</span>' + spark(pools.get(f.address), 1, 'queue') + '<span class="fig">' + f.queued + ' / ' + f.backlog + '</span></div>').join('');
}

async function follow(name) {
  selected = name;
  applyFilterAndFolds();
  if (logAbort) logAbort.abort();
  logAbort = new AbortController();
  const pre = $('#log');
  pre.textContent = '';
  $('#logtitle').textContent = 'Log of ' + name;
  try {
    const res = await fetch('logtail/' + encodeURIComponent(name), { signal: logAbort.signal });
    if (!res.ok) { pre.textContent = '(no log: ' + res.status + ')'; return; }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = (pre.textContent + decoder.decode(value, { stream: true })).slice(-65536);
      if (stick) pre.scrollTop = pre.scrollHeight;
    }
  } catch (e) { if (e.name !== 'AbortError') pre.textContent += '\\n(' + e.message + ')'; }
}

function message(text) {
  let box = $('.status_msg');
  if (!box) { box = document.createElement('div'); box.className = 'status_msg'; $('form').before(box); }
  box.textContent = text;
}
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a');
  const fold = ev.target.closest && ev.target.closest('button.fold');
  if (fold) {
    const g = fold.closest('tr').dataset.groupHead;
    if (folded.has(g)) folded.delete(g); else folded.add(g);
    return applyFilterAndFolds();
  }
  if (!a) return;
  const href = a.getAttribute('href') || '';
  if (href.startsWith('tail.html?processname=')) {
    ev.preventDefault();
    return void follow(decodeURIComponent(href.slice('tail.html?processname='.length)));
  }
  if (/[?&]action=/.test(href) && !/action=refresh/.test(href)) {
    ev.preventDefault();
    message('Working…');
    fetch(href).then((res) => {
      const m = new URL(res.url).searchParams.get('message');
      message(m || 'Error ' + res.status);
    }, (e) => message(e.message));
  }
});
filter.addEventListener('input', applyFilterAndFolds);

const conn = $('#conn');
const source = new EventSource('events');
source.addEventListener('open', () => { conn.textContent = 'live'; conn.className = 'conn up'; });
source.addEventListener('error', () => { conn.textContent = 'reconnecting'; conn.className = 'conn down'; });
source.addEventListener('rows', (e) => setRows(JSON.parse(e.data)));
source.addEventListener('stats', (e) => setStats(JSON.parse(e.data)));
})();
`;
