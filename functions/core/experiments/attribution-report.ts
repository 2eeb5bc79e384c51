import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import type { Clock } from '../shared/ports.js';
import { ATTRIBUTION_MAX_DAYS, ATTRIBUTION_TOP, type AttributionCounters, type AttributionKey, type AttributionRow } from './attribution-counts.js';

/** `GET /v1/admin/attribution`'s query: `days`, 1 to 90, 30 unless asked. */
export const AttributionQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  days: z._default(
    z.pipe(z.string().check(z.regex(/^\d{1,3}$/, 'A whole number of days.')), z.pipe(z.transform(Number), z.int().check(z.gte(1), z.lte(ATTRIBUTION_MAX_DAYS)))),
    30,
  ),
}));

/** Most first: by what a page led to (signups and gifts), then by its confirmations. */
const rank = (a: AttributionRow, b: AttributionRow) => b.signups + b.gifts - (a.signups + a.gifts) || b.confirmations - a.confirmations;

/**
 * `GET /v1/admin/attribution?days=N`: the top pages and UTM sources of the last N days (today included) with the
 * signups, confirmations, paid gifts and money they led to, most first.
 */
export const readAttribution = async (deps: { clock: Clock; counters: AttributionCounters }, days: number) => {
  const now = deps.clock.now();
  const until = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await deps.counters.totals(since, until);
  const counts = (row: AttributionRow) => ({ signups: row.signups, confirmations: row.confirmations, gifts: row.gifts, raised: row.raised });
  const pages = rows.filter((row) => row.key.kind === 'page').sort(rank).slice(0, ATTRIBUTION_TOP);
  const sources = rows.filter((row) => row.key.kind === 'utm').sort(rank).slice(0, ATTRIBUTION_TOP);
  return {
    since,
    until,
    pages: pages.map((row) => ({ source: row.key.kind === 'page' ? row.key.source : '', ...counts(row) })),
    sources: sources.map((row) => {
      const key: Partial<Extract<AttributionKey, { kind: 'utm' }>> = row.key.kind === 'utm' ? row.key : {};
      return { utm_source: key.utmSource ?? null, utm_medium: key.utmMedium ?? null, utm_campaign: key.utmCampaign ?? null, ...counts(row) };
    }),
  };
};
