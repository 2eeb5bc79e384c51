import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributionChange, AttributionCounters, AttributionKey, AttributionRow } from '../core/experiments/attribution-counts.js';
import { daysBetween } from '../core/experiments/days.js';
import { queryPages } from './dynamo-pages.js';
import { randomShard } from './dynamo-transactions.js';

/**
 * Items each page's (or UTM triple's) day counter is spread over, in its sort key: a page everyone reads on a news
 * day takes its signups and gifts on four items, so their transactions rarely collide. The partition is the day's:
 * at most a few hundred counter writes a second (signups and gifts), well under a partition's 1,000 write units.
 */
export const ATTRIBUTION_SHARDS = 4;

/** A counter's name in its sort key: the page or the UTM triple, hashed (a page's address may pass a key's length). */
const keyId = (key: AttributionKey) =>
  createHash('sha256')
    .update(key.kind === 'page' ? `page\u0000${key.source}` : `utm\u0000${key.utmSource ?? ''}\u0000${key.utmMedium ?? ''}\u0000${key.utmCampaign ?? ''}`)
    .digest('base64url')
    .slice(0, 22);

/** Item keys of the attribution counters, in both tables (see the data model). */
export const attributionKeys = {
  counter: (day: string, key: AttributionKey, shard: number) => ({ pk: `ATTR#${day}`, sk: `${key.kind}#${keyId(key)}#${shard}` }),
};

/** What an item says it counts, kept beside its numbers so that a reader can name it. */
const labels = (key: AttributionKey): Record<string, string> =>
  key.kind === 'page'
    ? { kind: 'page', source: key.source }
    : {
        kind: 'utm',
        ...(key.utmSource ? { utm_source: key.utmSource } : {}),
        ...(key.utmMedium ? { utm_medium: key.utmMedium } : {}),
        ...(key.utmCampaign ? { utm_campaign: key.utmCampaign } : {}),
      };

/** The transaction items that add a write's attribution change: one per counter (page, UTM triple), each on a random shard. */
export const attributionUpdates = (tableName: string, change: AttributionChange) =>
  change.keys.map((key) => {
    const counts = Object.entries(change.counts);
    const named = Object.entries(labels(key));
    return {
      Update: {
        TableName: tableName,
        Key: attributionKeys.counter(change.day, key, randomShard(ATTRIBUTION_SHARDS)),
        UpdateExpression: `SET ${named.map((_, i) => `#l${i} = :l${i}`).join(', ')} ADD ${counts.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: {
          ...Object.fromEntries(named.map(([name], i) => [`#l${i}`, name])),
          ...Object.fromEntries(counts.map(([name], i) => [`#c${i}`, name])),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(named.map(([, value], i) => [`:l${i}`, value])),
          ...Object.fromEntries(counts.map(([, delta], i) => [`:c${i}`, delta])),
        },
      },
    };
  });

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Reads the attribution counters of some days from both tables: one Query per day and table (paged), whose size is
 * that day's distinct pages and sources. Nothing is scanned.
 */
export class DynamoAttributionCounters implements AttributionCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableNames: readonly string[],
  ) {}

  private async *day(tableName: string, day: string) {
    const pages = queryPages(this.client, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ATTR#${day}` } });
    for await (const page of pages) yield* page;
  }

  async totals(since: string, until: string): Promise<AttributionRow[]> {
    const rows = new Map<string, AttributionRow>();
    const reads = daysBetween(since, until).flatMap((day) => this.tableNames.map((table) => ({ day, table })));
    // A few Queries at once: a 90-day view is 180 small ones.
    for (let i = 0; i < reads.length; i += 10) {
      const batches = await Promise.all(
        reads.slice(i, i + 10).map(async ({ day, table }) => {
          const items: Record<string, unknown>[] = [];
          for await (const item of this.day(table, day)) items.push(item);
          return items;
        }),
      );
      for (const item of batches.flat()) {
        const key: AttributionKey | undefined =
          item.kind === 'page' && text(item.source)
            ? { kind: 'page', source: text(item.source) as string }
            : item.kind === 'utm'
              ? { kind: 'utm', utmSource: text(item.utm_source), utmMedium: text(item.utm_medium), utmCampaign: text(item.utm_campaign) }
              : undefined;
        if (!key) continue;
        const id = `${key.kind}#${keyId(key)}`;
        const row = rows.get(id) ?? { key, signups: 0, confirmations: 0, gifts: 0, raised: {} };
        rows.set(id, row);
        for (const [name, value] of Object.entries(item)) {
          if (typeof value !== 'number') continue;
          if (name === 'signups' || name === 'confirmations' || name === 'gifts') row[name] += value;
          const currency = /^raised:([a-z]{3})$/.exec(name)?.[1];
          if (currency) row.raised[currency] = (row.raised[currency] ?? 0) + value;
        }
      }
    }
    return [...rows.values()];
  }
}
