/**
 * What the console's routes load on first use, in one module: the pages, the charts and what each section does.
 * One dynamic import, not one per module, because each module a route loads on demand splits the bundle where it
 * meets the code the cold start needs, and a cold start that must read and link twenty small files instead of ten
 * loses what it saved (infra/bundling.ts). The passkey library stays apart, loaded by passkeys.ts with the first
 * passkey page.
 */
export * as pages from '../core/console/pages.js';
export * as campaignPages from '../core/console/campaign-pages.js';
export * as exportPages from '../core/console/export-pages.js';
export * as peoplePages from '../core/console/people-pages.js';
export * as charts from '../core/dashboard/charts.js';
export * as passkeys from '../core/console/passkeys.js';
export * as campaigns from '../core/console/campaigns.js';
export * as exports from '../core/console/exports.js';
export * as people from '../core/console/people.js';
export * as dashboard from '../core/dashboard/dashboard.js';
export * as editors from '../core/console/editors.js';
export * as experimentPages from '../core/console/experiment-pages.js';
export * as experiments from '../core/console/experiments.js';
export { experimentStores } from './experiment-stores.js';
export * as webhookPages from '../core/console/webhook-pages.js';
export * as webhooks from '../core/console/webhooks.js';
export { outboundStores } from './webhook-stores.js';
