import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConflictError } from '../core/errors.js';

/** Item keys of the subscribers table (see the README's item design). */
export const keys = {
  subscriber: (email: string) => ({ pk: `SUB#${email}`, sk: 'PROFILE' }),
  rateWindow: (name: string, key: string, windowStart: number) => ({ pk: `RATE#${name}#${key}#${windowStart}`, sk: 'RATE' }),
  mail: (dedupeKey: string) => ({ pk: `MAIL#${dedupeKey}`, sk: 'MAIL' }),
};

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A failed condition means another writer won the race: the domain's ConflictError, with the cause kept. */
export const conflictOnCondition = (message: string) => (error: unknown): never => {
  if (error instanceof ConditionalCheckFailedException) throw new ConflictError(message, { cause: error });
  throw error;
};
