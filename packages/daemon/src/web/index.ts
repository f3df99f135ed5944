/**
 * The routes of supervisor's web interface on the daemon's HTTP side: `/` and `/index.html`
 * (status page; `?action=` performs and redirects with `?message=`, as supervisord does with a
 * 301), `/tail.html?processname=`, and the page's stylesheet. `/logtail/...` is xmlrpc/logtail.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProcessInfo } from '@tsupervisor/protocol';
import type { Invoke } from '../calls/pipeline.js';
import { performAction, tailText } from './actions.js';
import { errorBody } from './error-page.js';
import { pyQuote, renderStatusPage, renderTailPage, STYLESHEET } from './status-page.js';

const PAGE_HEADERS = { 'Content-Type': 'text/html;charset=utf-8', Pragma: 'no-cache', 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:00 GMT' };

export function isWebPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/tail.html' || path === '/stylesheets/supervisor.css';
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
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const namespec = query.get('processname');
  if (path === '/tail.html') {
    send(res, 200, PAGE_HEADERS, renderTailPage(namespec ?? '', await tailText(invoke, namespec)));
    return true;
  }
  const action = query.get('action');
  if (action) {
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
