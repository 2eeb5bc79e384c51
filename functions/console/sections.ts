/**
 * What the console's routes load on first use, in one module: the pages, the charts, the sections' route bodies
 * (section-routes.ts, with what each section does) and least roles, the JSON routes, the error pages, the stores only
 * the sections use, the script and the stylesheet.
 * One dynamic import, not one per module, because each module a route loads on demand splits the bundle where it
 * meets the code the cold start needs, and a cold start that must read and link twenty small files instead of ten
 * loses what it saved (infra/bundling.ts). The passkey library stays apart, loaded by passkeys.ts with the first
 * passkey page.
 */
export * as pages from '../core/console/pages.js';
export * as charts from '../core/dashboard/charts.js';
export * as passkeys from '../core/console/passkeys.js';
export * as dashboard from '../core/dashboard/dashboard.js';
export * as assets from '../core/console/assets.js';
export { sectionRoutes } from './section-routes.js';
export { SECTION_ROLES } from './section-roles.js';
export { apiRoutes } from './api-routes.js';
export { consoleErrorAnswer } from './error-pages.js';
export { experimentStores } from './experiment-stores.js';
export { outboundStores } from './webhook-stores.js';
export { adminStores } from './admin-stores.js';
