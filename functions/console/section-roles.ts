import { CAMPAIGN_EDITOR, CONSOLE_PAGES } from '../core/console/access.js';
import type { Role } from '../core/console/model.js';
import type { SectionRouteKey } from './section-routes.js';

/** Who needs what: each page's least role, from the navigation's table. */
export const roleOf = (path: string): Role => CONSOLE_PAGES.find((p) => p.path === path)?.role ?? 'admin';

/**
 * Each section route's least role, which routes.ts checks before the route's body runs (loaded with the sections,
 * sections.ts). The type makes this table and the bodies' name the same routes.
 */
export const SECTION_ROLES: Record<SectionRouteKey, Role> = {
  'GET /admin/campaigns': roleOf('/admin/campaigns'),
  'GET /admin/campaigns/edit': CAMPAIGN_EDITOR,
  'POST /admin/campaigns': CAMPAIGN_EDITOR,
  'GET /admin/campaigns/close': CAMPAIGN_EDITOR,
  'POST /admin/campaigns/close': CAMPAIGN_EDITOR,
  'POST /admin/campaigns/reopen': CAMPAIGN_EDITOR,
  'GET /admin/exports': roleOf('/admin/exports'),
  'POST /admin/exports': roleOf('/admin/exports'),
  'GET /admin/exports/{exportId}': roleOf('/admin/exports'),
  'GET /admin/exports/{exportId}/download': roleOf('/admin/exports'),
  'GET /admin/people': roleOf('/admin/people'),
  'POST /admin/people': roleOf('/admin/people'),
  'POST /admin/people/erase': roleOf('/admin/people'),
  'GET /admin/experiments': roleOf('/admin/experiments'),
  'GET /admin/experiments/{campaignId}': roleOf('/admin/experiments'),
  'POST /admin/experiments/{campaignId}/end': roleOf('/admin/experiments'),
  'POST /admin/experiments/{campaignId}/allocation': roleOf('/admin/experiments'),
  'GET /admin/webhooks': roleOf('/admin/webhooks'),
  'POST /admin/webhooks': roleOf('/admin/webhooks'),
  'GET /admin/webhooks/{webhookId}': roleOf('/admin/webhooks'),
  'POST /admin/webhooks/{webhookId}/{action}': roleOf('/admin/webhooks'),
  'POST /admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': roleOf('/admin/webhooks'),
  'GET /admin/connectors': roleOf('/admin/connectors'),
  'POST /admin/connectors': roleOf('/admin/connectors'),
  'POST /admin/connectors/{connectorId}/{action}': roleOf('/admin/connectors'),
  'GET /admin/account': roleOf('/admin/account'),
  'POST /admin/account/passkeys': roleOf('/admin/account'),
  'POST /admin/account/passkeys/remove': roleOf('/admin/account'),
  'POST /admin/account/signout-everywhere': roleOf('/admin/account'),
  'GET /admin/editors': roleOf('/admin/editors'),
  'POST /admin/editors': roleOf('/admin/editors'),
  'POST /admin/editors/remove': roleOf('/admin/editors'),
  'POST /admin/editors/signout-everywhere': roleOf('/admin/editors'),
  'GET /admin/tokens': roleOf('/admin/tokens'),
  'POST /admin/tokens/revoke': roleOf('/admin/tokens'),
  'GET /admin/audit': roleOf('/admin/audit'),
  // Any editor signs themselves out.
  'POST /admin/signout': 'viewer',
};
