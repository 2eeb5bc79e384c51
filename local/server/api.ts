import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { StripeSimulator } from '../stand-ins/stripe/simulator.js';
import type { OutboxEmail } from './data-dir.js';
import { type CorsPolicy, type HttpLambda, serveThroughGateway } from './gateway.js';
import { listen } from './http-server.js';
import type { InFlight } from './in-flight.js';
import { serveLocal } from './local-routes.js';
import type { EndpointLog } from './webhook-pages.js';

/** API Gateway's CORS settings, as the stack gives them. */
export const corsPolicy = (url: string, siteUrl: string, siteOrigins: string | undefined): CorsPolicy => ({
  // API.md: SITE_ORIGINS adds origins; the server's own and its demo site's are always allowed.
  allowOrigins: [...new Set([new URL(url).origin, siteUrl, ...(siteOrigins ?? '').split(',').map((o) => o.trim()).filter(Boolean)])],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['content-type'],
  maxAgeSeconds: 600,
});

export interface ApiOptions {
  port: number;
  /** The web/ folder (the assets the dev server's pages use). */
  web: string;
  siteUrl: string;
  stripe: StripeSimulator;
  outbox: () => OutboxEmail[];
  /** Every webhook endpoint with its latest deliveries (`/_local/webhooks`). */
  webhooks?: () => Promise<EndpointLog[]>;
  forRoute: (routeKey: string) => HttpLambda;
  cors: CorsPolicy;
  /** Each request is tracked here, so that closing waits for its writes. */
  requests: InFlight;
  /**
   * The scheduled jobs a person may run now, by name: `POST /_local/jobs/<name>` with the invocation's JSON
   * payload answers what the job answered (the admin CLI's `reminders run` on the dev server).
   */
  jobs?: Record<string, (payload: unknown) => Promise<unknown>>;
  /** `GET /_local/connectors`: what the newsletter tools' stand-ins hold; false for any other request. */
  connectorsPage?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** `POST /_local/jobs/<name>`: runs a scheduled job with the posted payload; false for any other request. */
const runLocalJob = async (req: IncomingMessage, res: ServerResponse, jobs: ApiOptions['jobs']) => {
  const name = /^\/_local\/jobs\/([a-z-]+)$/.exec(new URL(req.url ?? '/', 'http://local').pathname)?.[1];
  if (req.method !== 'POST' || name === undefined) return false;
  const job = jobs?.[name];
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : {};
  } catch {
    payload = undefined;
  }
  const answer = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (!job) answer(404, { error: { code: 'not_found', message: `No job ${name}.` } });
  else if (payload === undefined) answer(400, { error: { code: 'invalid_json', message: 'The body is not JSON.' } });
  else {
    try {
      answer(200, await job(payload));
    } catch (error) {
      answer(400, { error: { code: 'job_failed', message: error instanceof Error ? error.message : 'The job failed.' } });
    }
  }
  return true;
};

/**
 * The API's port: the Stripe simulator's pages, what only the dev server serves (the outbox, the assets), and
 * everything else through the API Gateway stand-in to the functions. Listening starts once every handler is
 * attached: a request that arrives during start-up is refused, not accepted and never answered.
 */
export const serveApi = async (o: ApiOptions) => {
  const http = createServer();
  http.on('request', (req, res) => {
    // API Gateway stamps its own answers (preflights, 413s) with an id too; the functions' own ids win below.
    res.setHeader('x-request-id', randomUUID());
    const handled = (async () => {
      if (await o.stripe.handleLocal(req, res)) return;
      if (await runLocalJob(req, res, o.jobs)) return;
      if (o.connectorsPage?.(req, res)) return;
      if (await serveLocal(req, res, { web: o.web, siteUrl: o.siteUrl, outbox: o.outbox, ...(o.webhooks ? { webhooks: o.webhooks } : {}) })) return;
      await serveThroughGateway(req, res, o.forRoute, o.cors);
    })().catch((error: unknown) => {
      console.error('[appeal] request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Local server failure.' } }));
    });
    o.requests.track(handled);
  });
  await listen(http, o.port, '127.0.0.1');
  return http;
};
