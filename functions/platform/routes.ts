/**
 * Every public route and the function (route group) that serves it. The CDK stack makes one API Gateway route
 * per entry, the dev server dispatches by it, and the catch-all function answers 404/405 from it, so the three
 * cannot drift apart. HEAD routes are not written here: each GET route brings its own (ROUTES below).
 */
export const FUNCTIONS = ['subscriptions', 'donations', 'stripe-webhook', 'admin', 'embed', 'events', 'console', 'webhooks'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface RouteSpec {
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  path: string;
  fn: FunctionName;
}

const DECLARED: readonly RouteSpec[] = [
  { method: 'POST', path: '/v1/subscriptions', fn: 'subscriptions' },
  { method: 'GET', path: '/v1/subscriptions/thanks', fn: 'subscriptions' },
  { method: 'GET', path: '/v1/subscriptions/confirm', fn: 'subscriptions' },
  { method: 'POST', path: '/v1/subscriptions/confirm', fn: 'subscriptions' },
  { method: 'GET', path: '/v1/subscriptions/unsubscribe', fn: 'subscriptions' },
  { method: 'POST', path: '/v1/subscriptions/unsubscribe', fn: 'subscriptions' },
  { method: 'GET', path: '/v1/campaigns/{campaignId}', fn: 'donations' },
  { method: 'POST', path: '/v1/donations/checkout', fn: 'donations' },
  { method: 'GET', path: '/v1/donate', fn: 'donations' },
  { method: 'GET', path: '/v1/donate/thanks', fn: 'donations' },
  { method: 'GET', path: '/v1/donations/manage', fn: 'donations' },
  { method: 'GET', path: '/v1/donations/statement', fn: 'donations' },
  { method: 'GET', path: '/v1/donations/gift-aid', fn: 'donations' },
  { method: 'POST', path: '/v1/donations/gift-aid', fn: 'donations' },
  { method: 'POST', path: '/v1/stripe/webhook', fn: 'stripe-webhook' },
  { method: 'POST', path: '/v1/admin/exports', fn: 'admin' },
  { method: 'GET', path: '/v1/admin/exports/{exportId}', fn: 'admin' },
  { method: 'GET', path: '/v1/admin/subscribers/{email}', fn: 'admin' },
  { method: 'DELETE', path: '/v1/admin/subscribers/{email}', fn: 'admin' },
  { method: 'GET', path: '/v1/admin/stats', fn: 'admin' },
  // The dashboard's numbers: the console's, as it takes a session as well as a token (API.md, "Dashboard data").
  { method: 'GET', path: '/v1/admin/dashboard', fn: 'console' },
  // The embed's script (web/embed/): one small function of its own, with no client and no grant.
  { method: 'GET', path: '/v1/embed.js', fn: 'embed' },
  // The embed's views and clicks: a function of its own, sized for a news day's banner views (bench/events.ts).
  { method: 'POST', path: '/v1/events', fn: 'events' },
  // The console: the editors' pages on the API's own origin, their sign-in, and the audit log (API.md, "The console").
  { method: 'GET', path: '/admin', fn: 'console' },
  { method: 'POST', path: '/admin', fn: 'console' },
  { method: 'GET', path: '/admin/signin', fn: 'console' },
  { method: 'POST', path: '/admin/signin', fn: 'console' },
  { method: 'POST', path: '/admin/passkey', fn: 'console' },
  { method: 'POST', path: '/admin/signout', fn: 'console' },
  { method: 'GET', path: '/admin/account', fn: 'console' },
  { method: 'POST', path: '/admin/account/passkeys', fn: 'console' },
  { method: 'POST', path: '/admin/account/passkeys/remove', fn: 'console' },
  { method: 'POST', path: '/admin/account/signout-everywhere', fn: 'console' },
  { method: 'GET', path: '/admin/editors', fn: 'console' },
  { method: 'POST', path: '/admin/editors', fn: 'console' },
  { method: 'POST', path: '/admin/editors/remove', fn: 'console' },
  { method: 'POST', path: '/admin/editors/signout-everywhere', fn: 'console' },
  { method: 'GET', path: '/admin/tokens', fn: 'console' },
  { method: 'POST', path: '/admin/tokens/revoke', fn: 'console' },
  { method: 'GET', path: '/admin/audit', fn: 'console' },
  { method: 'GET', path: '/admin/console.js', fn: 'console' },
  { method: 'GET', path: '/admin/console.css', fn: 'console' },
  { method: 'GET', path: '/v1/admin/audit', fn: 'console' },
  // "Remind me later": served with the mailing list (its table, limits and one-click unsubscribe).
  { method: 'POST', path: '/v1/reminders', fn: 'subscriptions' },
  { method: 'GET', path: '/v1/reminders/unsubscribe', fn: 'subscriptions' },
  { method: 'POST', path: '/v1/reminders/unsubscribe', fn: 'subscriptions' },
  // An appeal experiment's results, and where signups and gifts came from.
  { method: 'GET', path: '/v1/admin/campaigns/{campaignId}/results', fn: 'admin' },
  { method: 'GET', path: '/v1/admin/attribution', fn: 'admin' },
  { method: 'GET', path: '/admin/campaigns', fn: 'console' },
  { method: 'POST', path: '/admin/campaigns', fn: 'console' },
  { method: 'GET', path: '/admin/campaigns/edit', fn: 'console' },
  { method: 'GET', path: '/admin/campaigns/close', fn: 'console' },
  { method: 'POST', path: '/admin/campaigns/close', fn: 'console' },
  { method: 'POST', path: '/admin/campaigns/reopen', fn: 'console' },
  { method: 'GET', path: '/admin/exports', fn: 'console' },
  { method: 'POST', path: '/admin/exports', fn: 'console' },
  { method: 'GET', path: '/admin/exports/{exportId}', fn: 'console' },
  { method: 'GET', path: '/admin/exports/{exportId}/download', fn: 'console' },
  { method: 'GET', path: '/admin/people', fn: 'console' },
  { method: 'POST', path: '/admin/people', fn: 'console' },
  { method: 'POST', path: '/admin/people/erase', fn: 'console' },
  { method: 'GET', path: '/admin/experiments', fn: 'console' },
  { method: 'GET', path: '/admin/experiments/{campaignId}', fn: 'console' },
  { method: 'POST', path: '/admin/experiments/{campaignId}/end', fn: 'console' },
  { method: 'POST', path: '/admin/experiments/{campaignId}/allocation', fn: 'console' },
  // The newsroom's webhook endpoints and their delivery logs (admin tokens): a function of their own, with the
  // delivery queue and the guarded client's URL check, which the admin function has no use for.
  { method: 'POST', path: '/v1/admin/webhooks', fn: 'webhooks' },
  { method: 'GET', path: '/v1/admin/webhooks', fn: 'webhooks' },
  { method: 'DELETE', path: '/v1/admin/webhooks/{webhookId}', fn: 'webhooks' },
  { method: 'POST', path: '/v1/admin/webhooks/{webhookId}/rotate', fn: 'webhooks' },
  { method: 'POST', path: '/v1/admin/webhooks/{webhookId}/enable', fn: 'webhooks' },
  { method: 'GET', path: '/v1/admin/webhooks/{webhookId}/deliveries', fn: 'webhooks' },
  { method: 'POST', path: '/v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry', fn: 'webhooks' },
  { method: 'POST', path: '/v1/admin/webhooks/{webhookId}/replay', fn: 'webhooks' },
  // The newsletter tools' connectors (admin tokens), beside the endpoints they resemble.
  { method: 'POST', path: '/v1/admin/connectors', fn: 'webhooks' },
  { method: 'GET', path: '/v1/admin/connectors', fn: 'webhooks' },
  { method: 'DELETE', path: '/v1/admin/connectors/{connectorId}', fn: 'webhooks' },
  { method: 'POST', path: '/v1/admin/connectors/{connectorId}/backfill', fn: 'webhooks' },
  // Mailchimp's list webhook (the URL carries the connector's secret, as Mailchimp signs nothing): public.
  { method: 'GET', path: '/v1/connectors/{connectorId}/mailchimp', fn: 'webhooks' },
  { method: 'POST', path: '/v1/connectors/{connectorId}/mailchimp', fn: 'webhooks' },
  // The console's pages for the same endpoints and connectors (admins), with the webhooks API's rules and stores.
  { method: 'GET', path: '/admin/webhooks', fn: 'console' },
  { method: 'POST', path: '/admin/webhooks', fn: 'console' },
  { method: 'GET', path: '/admin/webhooks/{webhookId}', fn: 'console' },
  // rotate, remove, enable or replay: one route (each route adds to the account's burst).
  { method: 'POST', path: '/admin/webhooks/{webhookId}/{action}', fn: 'console' },
  { method: 'POST', path: '/admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry', fn: 'console' },
  { method: 'GET', path: '/admin/connectors', fn: 'console' },
  { method: 'POST', path: '/admin/connectors', fn: 'console' },
  // remove or backfill: one route (each route adds to the account's burst).
  { method: 'POST', path: '/admin/connectors/{connectorId}/{action}', fn: 'console' },
];

/**
 * The table with a HEAD route after each GET route, to the same function. RFC 9110 §9.3.2: HEAD works wherever GET
 * does (uptime checkers and link scanners use it), and API Gateway matches a route's method exactly, so a `GET`
 * route alone leaves HEAD to the catch-all's 405. The function answers HEAD from its GET handler without the body
 * (platform/http/handler.ts) and without the work a GET may start (a Checkout Session, a rate-limit count).
 */
export const ROUTES: readonly RouteSpec[] = DECLARED.flatMap((route) =>
  route.method === 'GET' ? [route, { ...route, method: 'HEAD' as const }] : [route],
);

/**
 * The pages' icon, `GET /favicon.ico`: no route of its own. API Gateway's catch-all route takes every path the
 * table does not name, so the catch-all function (fallback/routes.ts) serves it, as the dev server's gateway does.
 */
export { FAVICON_PATH } from '../core/shared/brand.js';

export const routeKey = (route: RouteSpec): string => `${route.method} ${route.path}`;

const templateToRegExp = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);

const compiled = ROUTES.map((route) => ({ route, pattern: templateToRegExp(route.path) }));

export interface RouteMatch {
  route: RouteSpec;
  pathParameters: Record<string, string>;
}

/** Finds the route for a request as API Gateway does; `allowed` lists the methods of a path that matched. */
export const matchRoute = (method: string, path: string): { match?: RouteMatch; allowed: string[] } => {
  const allowed: string[] = [];
  for (const { route, pattern } of compiled) {
    const found = pattern.exec(path);
    if (!found) continue;
    allowed.push(route.method);
    if (route.method === method) {
      const pathParameters: Record<string, string> = {};
      for (const [name, value] of Object.entries(found.groups ?? {})) pathParameters[name] = decodeURIComponent(value);
      return { match: { route, pathParameters }, allowed };
    }
  }
  return { allowed };
};
