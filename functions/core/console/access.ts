import type { Role } from './model.js';

/** The console's pages, in the navigation's order, and the least role that may see each. */
export const CONSOLE_PAGES = [
  { path: '/admin', name: 'dashboard', role: 'viewer' },
  { path: '/admin/editors', name: 'editors', role: 'admin' },
  { path: '/admin/tokens', name: 'tokens', role: 'admin' },
  { path: '/admin/audit', name: 'audit', role: 'admin' },
  { path: '/admin/account', name: 'account', role: 'viewer' },
] as const satisfies readonly { path: string; name: string; role: Role }[];

export type ConsolePage = (typeof CONSOLE_PAGES)[number]['name'];
