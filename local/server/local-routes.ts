import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { OutboxEmail } from './data-dir.js';
import { serveOutbox } from './outbox-pages.js';
import { type EndpointLog, serveWebhooks } from './webhook-pages.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface LocalContext {
  web: string;
  /** The demo site's base URL (its own origin: local/demo/site.ts), where `/` sends a browser. */
  siteUrl: string;
  outbox: () => OutboxEmail[];
  /** Every webhook endpoint with its latest deliveries (`/_local/webhooks`). */
  webhooks?: () => Promise<EndpointLog[]>;
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, null, 2));
};

const sendFile = async (res: ServerResponse, path: string) => {
  const body = await readFile(path);
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
  res.end(body);
};

/**
 * What only the dev server serves (never deployed): the way to the demo article (on the demo site's origin), the
 * article's assets, and the outbox.
 * Answers false for anything else, which then goes through the API Gateway stand-in.
 */
export const serveLocal = async (req: IncomingMessage, res: ServerResponse, context: LocalContext): Promise<boolean> => {
  const { pathname } = new URL(req.url ?? '/', 'http://local');
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/' || pathname === '/index.html') {
    // The article embeds the API from another origin, as a news site does: it lives on the demo site's port.
    res.writeHead(302, { location: `${context.siteUrl}/`, 'cache-control': 'no-store' });
    res.end();
    return true;
  }
  if (pathname.startsWith('/assets/')) {
    const file = normalize(pathname.slice('/assets/'.length));
    if (file.startsWith('..') || file.includes('/') || !TYPES[extname(file)]) return false;
    await sendFile(res, join(context.web, file)).catch(() => sendJson(res, 404, { error: { code: 'not_found', message: 'No such asset.' } }));
    return true;
  }
  // The outbox: JSON for tools, an inbox for a browser (local/server/outbox-pages.ts).
  if (pathname === '/_local/outbox' || pathname.startsWith('/_local/outbox/')) return serveOutbox(req, res, pathname, context.outbox);
  // Every webhook endpoint's deliveries, as the outbox shows mail (local/server/webhook-pages.ts).
  if (context.webhooks && pathname === '/_local/webhooks') return serveWebhooks(req, res, pathname, context.webhooks);
  return false;
};
