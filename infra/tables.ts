/**
 * Key design of each table, shared by the CDK data stack and the dev server (which creates the same tables in
 * DynamoDB Local), so that local and deployed tables cannot differ. Every key attribute is a string.
 */
export interface TableDesign {
  partitionKey: string;
  sortKey: string;
  timeToLive: string;
  /** The change stream's view: each change with the item before and after (the webhook events producer reads it). */
  stream?: 'NEW_AND_OLD_IMAGES' | undefined;
  indexes: { name: string; partitionKey: string; sortKey: string }[];
}

export const TABLES = {
  subscribers: {
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLive: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
  donations: {
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLive: 'expiresAt',
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  },
  /** The audit log: one partition read newest first by its sort key (the time); no index. */
  audit: {
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLive: 'expiresAt',
    indexes: [],
  },
} satisfies Record<string, TableDesign>;

export type TableName = keyof typeof TABLES;

