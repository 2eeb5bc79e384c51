import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSuppressions } from '../../functions/adapters/dynamo-suppressions.js';
import type { SuppressionReason } from '../../functions/core/mail/ports.js';
import { startTables } from '../support/dynamodb.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

describe('suppression markers on DynamoDB Local', () => {
  it('keep a bounce or a complaint when the address is erased, and take a bounce or complaint over an erasure', async () => {
    const markers = new DynamoSuppressions(db.client, db.tables.subscribers);
    const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 10, 0, s));
    const cases: [string, SuppressionReason[], SuppressionReason][] = [
      ['h-erased', ['erased'], 'erased'],
      ['h-erased-twice', ['erased', 'erased'], 'erased'],
      ['h-bounced-erased', ['bounced', 'erased'], 'bounced'],
      ['h-complained-erased', ['complained', 'erased'], 'complained'],
      ['h-erased-bounced', ['erased', 'bounced'], 'bounced'],
      ['h-erased-complained', ['erased', 'complained'], 'complained'],
      ['h-bounced-complained', ['bounced', 'complained'], 'complained'],
    ];
    for (const [hash, puts, expected] of cases) {
      for (const [i, reason] of puts.entries()) await markers.put(hash, reason, at(i));
      expect(await markers.get(hash), puts.join(' then ')).toMatchObject({ reason: expected });
    }
    // Many erasures racing one bounce: the bounce stays whichever lands last.
    await Promise.all([markers.put('h-race', 'bounced', at(0)), ...Array.from({ length: 10 }, (_, i) => markers.put('h-race', 'erased', at(i + 1)))]);
    expect(await markers.get('h-race')).toMatchObject({ reason: 'bounced' });
    await markers.remove('h-race');
    expect(await markers.get('h-race')).toBeUndefined();
  });
});
