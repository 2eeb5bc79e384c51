import type { Role } from './model.js';

/** The console's pages, in the navigation's order, and the least role that may see each. */
export const CONSOLE_PAGES = [
  { path: '/admin', name: 'dashboard', role: 'viewer' },
  { path: '/admin/campaigns', name: 'campaigns', role: 'viewer' },
  { path: '/admin/experiments', name: 'experiments', role: 'fundraiser' },
  { path: '/admin/exports', name: 'exports', role: 'exporter' },
  { path: '/admin/people', name: 'people', role: 'exporter' },
  { path: '/admin/editors', name: 'editors', role: 'admin' },
  { path: '/admin/tokens', name: 'tokens', role: 'admin' },
  { path: '/admin/webhooks', name: 'webhooks', role: 'admin' },
  { path: '/admin/connectors', name: 'connectors', role: 'admin' },
  { path: '/admin/audit', name: 'audit', role: 'admin' },
  { path: '/admin/account', name: 'account', role: 'viewer' },
] as const satisfies readonly { path: string; name: string; role: Role }[];

export type ConsolePage = (typeof CONSOLE_PAGES)[number]['name'];

/** The least role that may change campaigns (create, edit, close, reopen): viewers only read them. */
export const CAMPAIGN_EDITOR: Role = 'fundraiser';
