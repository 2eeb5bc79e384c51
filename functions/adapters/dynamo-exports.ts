import { parse } from '../core/shared/schema.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput, ScanCommand, type ScanCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Gift } from '../core/donations/model.js';
import { type ExportFilters, ExportJob } from '../core/admin/exports/model.js';
import type { ExportHistory, ExportJobs, ExportSource } from '../core/admin/exports/ports.js';
import { Subscriber } from '../core/subscriptions/model.js';
import { epochSeconds, indexPartitions } from './dynamo-keys.js';
import { pagesOf, queryPages } from './dynamo-pages.js';

const KEEP_JOBS_SECONDS = 30 * 86400;
const exportKey = (id: string) => ({ pk: `EXPORT#${id}`, sk: 'EXPORT' });
/** Every job is also listed on the index, newest last: a few exports a day are far below one key's limits. */
const EXPORTS_PARTITION = 'EXPORTS';

export class DynamoExportJobs implements ExportJobs, ExportHistory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(job: ExportJob) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...exportKey(job.id),
          ...job,
          gsi1pk: EXPORTS_PARTITION,
          gsi1sk: `${job.createdAt}#${job.id}`,
          expiresAt: epochSeconds(new Date(job.createdAt)) + KEEP_JOBS_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: exportKey(id), ConsistentRead: true }));
    return Item ? parse(ExportJob, Item) : undefined;
  }

  async recent(limit: number) {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': EXPORTS_PARTITION },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => parse(ExportJob, item));
  }

  async progress(id: string, rows: number) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: exportKey(id),
        UpdateExpression: 'SET #rows = :rows',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#rows': 'rows', '#status': 'status' },
        ExpressionAttributeValues: { ':rows': rows, ':running': 'running' },
      }),
    ).catch(() => undefined); // progress is advisory
  }

  async finish(id: string, outcome: { status: 'done'; rows: number; objectKey: string } | { status: 'failed'; rows: number }, at: Date) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: exportKey(id),
          UpdateExpression: `SET #status = :status, #rows = :rows, finishedAt = :at${outcome.status === 'done' ? ', objectKey = :key' : ''}`,
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
          ExpressionAttributeValues: {
            ':status': outcome.status,
            ':rows': outcome.rows,
            ':at': at.toISOString(),
            ':running': 'running',
            ...(outcome.status === 'done' ? { ':key': outcome.objectKey } : {}),
          },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error; // finished before: keep it
      });
  }
}

type Page = { items: Record<string, unknown>[]; next?: () => Promise<Page> };

/**
 * A stream of pages as a chain, each page with how to read the one after it. The last page still has a `next`,
 * which gives an empty page without one and sends nothing (the stream knows it has ended).
 */
const chain = (stream: AsyncIterator<Record<string, unknown>[]>) => {
  const load = async (): Promise<Page> => {
    const result = await stream.next();
    return result.done ? { items: [] } : { items: result.value, next: load };
  };
  return load;
};

/**
 * Items from several page streams at once (the segments of a parallel Scan), yielded as each page arrives.
 * At most one page per segment is held in memory, so memory stays flat however large the table.
 */
async function* merge(starts: (() => Promise<Page>)[]) {
  const inFlight = new Map<number, Promise<{ segment: number; page: Page }>>();
  for (const [segment, start] of starts.entries()) inFlight.set(segment, start().then((page) => ({ segment, page })));
  while (inFlight.size > 0) {
    const { segment, page } = await Promise.race(inFlight.values());
    inFlight.delete(segment);
    if (page.next) inFlight.set(segment, page.next().then((next) => ({ segment, page: next })));
    yield* page.items;
  }
}

/**
 * Items from several Query streams on one index (the partitions of one value), in sort-key order: at each step
 * the smallest head of the streams is yielded. One page per stream in memory.
 */
async function* mergeSorted(starts: (() => Promise<Page>)[], sortKey: string) {
  const heads = await Promise.all(starts.map(async (start) => ({ page: await start(), at: 0 })));
  for (;;) {
    for (const head of heads) {
      while (head.at >= head.page.items.length && head.page.next) {
        head.page = await head.page.next();
        head.at = 0;
      }
    }
    let best: (typeof heads)[number] | undefined;
    for (const head of heads) {
      const item = head.page.items[head.at];
      if (item && (!best || String(item[sortKey]) < String(best.page.items[best.at]?.[sortKey]))) best = head;
    }
    if (!best) return;
    yield best.page.items[best.at++] as Record<string, unknown>;
  }
}

const SCAN_SEGMENTS = 4;

/** Reads what an export needs: a Query on the overloaded index when a filter allows, else a parallel Scan. */
export class DynamoExportSource implements ExportSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { subscribers: string; donations: string },
  ) {}

  /** One Query per index partition of `value` (see INDEX_SHARDS), merged in sort-key order. */
  private queryIndex(input: QueryCommandInput, value: string) {
    const starts = indexPartitions(value).map((partition) =>
      chain(queryPages(this.client, { ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':partition': partition } })),
    );
    return mergeSorted(starts, 'gsi1sk');
  }

  private scan(input: ScanCommandInput) {
    return Array.from({ length: SCAN_SEGMENTS }, (_, segment) =>
      chain(pagesOf((start) => this.client.send(new ScanCommand({ ...input, Segment: segment, TotalSegments: SCAN_SEGMENTS, ExclusiveStartKey: start })))),
    );
  }

  async *subscribers(filters: ExportFilters) {
    const conditions: string[] = [];
    const values: Record<string, unknown> = {};
    if (filters.list) {
      conditions.push('contains(lists, :list)');
      values[':list'] = filters.list;
    }
    const range = { ':since': filters.since ?? '0000', ':until': `${filters.until ?? '9999'}~` };
    const items = filters.status
      ? this.queryIndex(
          {
            TableName: this.tables.subscribers,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :partition AND gsi1sk BETWEEN :since AND :until',
            FilterExpression: conditions.length ? conditions.join(' AND ') : undefined,
            ExpressionAttributeValues: { ...range, ...values },
          },
          `STATUS#${filters.status}`,
        )
      : merge(this.scan({
          TableName: this.tables.subscribers,
          FilterExpression: ['begins_with(pk, :sub)', 'subscribedAt BETWEEN :since AND :until', ...conditions].join(' AND '),
          ExpressionAttributeValues: { ':sub': 'SUB#', ...range, ...values },
        }));
    for await (const item of items) yield parse(Subscriber, item);
  }

  async *gifts(filters: ExportFilters) {
    const range = { ':since': filters.since ?? '0000', ':until': `${filters.until ?? '9999'}~` };
    const items = filters.campaign
      ? this.queryIndex(
          {
            TableName: this.tables.donations,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :partition AND gsi1sk BETWEEN :since AND :until',
            ExpressionAttributeValues: range,
          },
          `GIFTS#${filters.campaign}`,
        )
      : merge(this.scan({
          TableName: this.tables.donations,
          FilterExpression: 'begins_with(pk, :gift) AND createdAt BETWEEN :since AND :until',
          ExpressionAttributeValues: { ':gift': 'GIFT#', ...range },
        }));
    for await (const item of items) yield parse(Gift, item);
  }
}
