import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
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
}

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
