/**
 * medusa's error page (http_server.DEFAULT_ERROR_MESSAGE), which supervisord sends as the body
 * of every answer it makes with request.error(code): 400/401/404/500, and also the web
 * interface's 301 redirect after an action (a short page, Content-Length 142, not empty).
 */

/** The reason phrases supervisord's answers use. */
export const REASONS: Record<number, string> = {
  301: 'Moved Permanently',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
};

export function errorBody(code: number): string {
  const message = REASONS[code] ?? 'Error';
  return ['<head>', '<title>Error response</title>', '</head>', '<body>', '<h1>Error response</h1>', `<p>Error code ${code}.`, `<p>Message: ${message}.`, '</body>', ''].join('\r\n');
}
