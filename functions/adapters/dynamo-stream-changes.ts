import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type ItemChange, WATCHED_PREFIXES, type WatchedTable } from '../core/events/changes.js';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const plain = (image: Image | undefined) => (image ? (unmarshall(image as Record<string, AttributeValue>) as Record<string, unknown>) : undefined);

/** The table a stream record comes from, by the stream's ARN (`…:table/<name>/stream/…`) matched to the tables' names. */
export const tableOfRecord = (record: DynamoDBRecord, names: Record<WatchedTable, string>): WatchedTable | undefined => {
  const name = /:table\/([^/]+)\/stream\//.exec(record.eventSourceARN ?? '')?.[1];
  return (Object.keys(names) as WatchedTable[]).find((table) => names[table] === name);
};

/**
 * A change stream's record as an item change (NEW_AND_OLD_IMAGES), or undefined for a kind of item no event is
 * made from (the event source mapping's filter leaves those out in AWS already).
 */
export const changeOfRecord = (record: DynamoDBRecord, table: WatchedTable): ItemChange | undefined => {
  const pk = record.dynamodb?.Keys?.pk?.S;
  if (!pk || !WATCHED_PREFIXES[table].some((prefix) => pk.startsWith(prefix))) return undefined;
  return { table, pk, old: plain(record.dynamodb?.OldImage), new: plain(record.dynamodb?.NewImage) };
};
