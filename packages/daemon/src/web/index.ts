/**
 * The routes of supervisor's web interface on the daemon's HTTP side: `/` and `/index.html`
 * (status page; `?action=` performs and redirects with `?message=`, as supervisord does with a
 * 301), `/tail.html?processname=`, and the page's stylesheet. `/logtail/...` is xmlrpc/logtail.ts.
 * The live parts: `/live.js` (live-script.ts) and `/events` (live.ts, served by the HTTP server,
 * which owns the connection's pushed events).
 *
 * A state-changing action from another site is refused (403): supervisord's action links are
 * GETs, so any page could stop a process through a logged-in browser. Browsers say where a
 * request comes from (Sec-Fetch-Site, Origin, Referer); scripts (curl, wget) send none of
 * these and keep working as with supervisord.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessInfo } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import { performAction, tailText } from './actions.js';
import { errorBody } from './error-page.js';
import { LIVE_SCRIPT } from './live-script.js';
import { pyQuote, renderStatusPage, renderTailPage, STYLESHEET } from './status-page.js';

const PAGE_HEADERS = { 'Content-Type': 'text/html;charset=utf-8', Pragma: 'no-cache', 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:00 GMT' };

export function isWebPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/tail.html' || path === '/stylesheets/supervisor.css' || path === '/live.js';
}

/** The request comes from a page of another origin (what a browser says; nothing from a script). */
export function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const from = req.headers.origin ?? req.headers.referer;
  if (from === undefined) return false;
  try {
    return new URL(from).host !== req.headers.host;
  } catch {
    return true; // `Origin: null` (a sandboxed or file: page) and anything unreadable
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Serves a web path (isWebPath); false for an action it cannot perform (the caller answers 500, as supervisord). */
export async function serveWeb(path: string, req: IncomingMessage, res: ServerResponse, invoke: Invoke): Promise<boolean> {
  if (path === '/stylesheets/supervisor.css') {
    send(res, 200, { 'Content-Type': 'text/css' }, STYLESHEET);
    return true;
  }
  if (path === '/live.js') {
    send(res, 200, { 'Content-Type': 'text/javascript;charset=utf-8', 'Cache-Control': 'no-cache' }, LIVE_SCRIPT);
    return true;
  }
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const namespec = query.get('processname');
  if (path === '/tail.html') {
    send(res, 200, PAGE_HEADERS, renderTailPage(namespec ?? '', await tailText(invoke, namespec)));
    return true;
  }
  const action = query.get('action');
  if (action) {
    if (action !== 'refresh' && crossSite(req)) {
      send(res, 403, { 'Content-Type': 'text/html' }, errorBody(403));
      return true;
    }
    const message = await performAction(invoke, action, namespec);
    if (message === null) return false;
    // supervisord's headers in its order, and medusa's error page as the body (request.error(301))
    const location = `http://${req.headers.host ?? 'localhost'}/?message=${pyQuote(message)}`;
    send(res, 301, { Location: location, ...PAGE_HEADERS, 'Content-Type': 'text/html' }, errorBody(301));
    return true;
  }
  const infos = (await invoke('supervisor.getAllProcessInfo', {})) as ProcessInfo[];
  send(res, 200, PAGE_HEADERS, renderStatusPage(infos, query.get('message'), new Date()));
  return true;
}
