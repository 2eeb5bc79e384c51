import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConnectors } from '../../functions/adapters/dynamo-connectors.js';
import { DynamoDonorLedger } from '../../functions/adapters/dynamo-donor-ledger.js';
import { DynamoErasedAddresses } from '../../functions/adapters/dynamo-erased-addresses.js';
import { DynamoDeliveryLog, DynamoOutboundEvents } from '../../functions/adapters/dynamo-webhooks.js';
import { SafeHttp } from '../../functions/adapters/safe-http.js';
import type { Connector } from '../../functions/core/connectors/admin.js';
import { readDonorStatus } from '../../functions/core/connectors/sync.js';
import type { ItemChange } from '../../functions/core/events/changes.js';
import { publishChanges } from '../../functions/core/events/publish.js';
import { runDeliveryJob, type WorkerDeps } from '../../functions/core/events/worker.js';
import { connectorClients } from '../../functions/platform/wiring/connectors.js';
import { MailchimpStandIn } from '../../local/stand-ins/mailchimp.js';
import { readerRecord } from '../support/connector-fakes.js';
import { startTables } from '../support/dynamodb.js';
import { FakeClock, MemorySubscribers, testKeys } from '../support/fakes.js';
import { MemoryDeliveryQueue, MemoryEndpoints } from '../support/webhook-fakes.js';

const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6';
const LIST = 'a1b2c3';
const EMAIL = 'Dee.Reader@Example.org';

let db: Awaited<ReturnType<typeof startTables>>;
let mailchimp: MailchimpStandIn;
let mailchimpUrl: string;

beforeAll(async () => {
  db = await startTables();
  mailchimp = new MailchimpStandIn({ apiKey: KEY, lists: { [LIST]: { name: 'Readers', mergeFields: ['FNAME', 'DONOR', 'LASTGIFT', 'LASTAMT', 'TOTALGIVEN'] } } });
  mailchimpUrl = await mailchimp.start();
});
afterAll(async () => {
  await mailchimp.close();
  await db.close();
});

const reader = (status: string, version: number) => readerRecord(EMAIL, status, version, { name: 'Dee', lang: 'en' });

const gift = {
  key: 'pi_1',
  status: 'paid',
  campaign: 'spring',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: EMAIL,
  donorName: 'Dee',
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-03T00:00:00.000Z',
  paidAt: '2026-11-03T00:00:00.000Z',
  updatedAt: '2026-11-03T00:00:00.000Z',
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
};

describe('a subscriber\'s confirmation, gift and erase through the kept events to Mailchimp (DynamoDB Local, the stand-in)', () => {
  it('pushes, carries the donor status, deletes the member permanently, and leaves no address in the table or the queue', async () => {
    const clock = new FakeClock(new Date());
    const table = db.tables.subscribers;
    const connectors = new DynamoConnectors(db.client, table, testKeys.token);
    const connector: Connector = { id: 'cn_00112233445566ff', settings: { kind: 'mailchimp', apiKey: KEY, list: LIST, apiUrl: mailchimpUrl }, createdAt: clock.now().toISOString() };
    await connectors.create(connector);
    const events = new DynamoOutboundEvents(db.client, table);
    const deliveries = new DynamoDeliveryLog(db.client, table);
    const erasedAddresses = new DynamoErasedAddresses(db.client, table, testKeys.token);
    const donors = new DynamoDonorLedger(db.client, table);
    const queue = new MemoryDeliveryQueue(clock);
    const subscribers = new MemorySubscribers();
    await subscribers.save(reader('confirmed', 2), undefined);
    const publish = { clock, keys: testKeys, endpoints: new MemoryEndpoints(), events, deliveries, queue, language: 'en' as const, connectors, erasedAddresses, donors };
    const http = new SafeHttp({ allowLoopbackHttp: true, ownOrigins: [] });
    const worker: WorkerDeps = {
      clock,
      random: () => 0.5,
      endpoints: new MemoryEndpoints(),
      events,
      deliveries,
      queue,
      http,
      onEndpointDisabled: async () => {},
      connectors: {
        clock,
        connectors,
        connectorFor: connectorClients(http),
        subscribers,
        language: 'en',
        erasedAddresses,
        donorStatus: (email) => readDonorStatus({ keys: testKeys, donors }, email),
      },
    };
    const runDue = async () => Promise.all(queue.due().map((job) => runDeliveryJob(worker, job)));

    await publishChanges(publish, [{ table: 'subscribers', pk: `SUB#${EMAIL}`, old: reader('pending', 1), new: reader('confirmed', 2) }]);
    expect(await runDue()).toEqual(['delivered']);
    expect(mailchimp.member(LIST, EMAIL)).toMatchObject({ status: 'subscribed' });

    await publishChanges(publish, [{ table: 'donations', pk: 'GIFT#pi_1', old: undefined, new: gift }]);
    expect(await runDue()).toEqual(['delivered']);
    expect(mailchimp.member(LIST, EMAIL)?.merge_fields).toMatchObject({ DONOR: 'donor', LASTGIFT: '2026-11-03', LASTAMT: '25.00 USD', TOTALGIVEN: '25.00 USD' });

    const erase: ItemChange = { table: 'subscribers', pk: `SUB#${EMAIL}`, old: reader('confirmed', 3), new: undefined };
    await publishChanges(publish, [erase]);
    const scanned = async () => JSON.stringify((await db.client.send(new ScanCommand({ TableName: table }))).Items ?? []).toLowerCase();
    // Pending: the address is in the table only sealed.
    expect(await scanned()).not.toContain(EMAIL.toLowerCase());
    expect(await scanned()).toContain('wherase#');
    expect(JSON.stringify(queue.jobs).toLowerCase()).not.toContain(EMAIL.toLowerCase());
    expect(await runDue()).toEqual(['delivered']);
    expect(mailchimp.isForgotten(LIST, EMAIL)).toBe(true);

    // Read again (a stream record delivered twice): nothing is asked again, and nothing is left behind.
    await publishChanges(publish, [erase]);
    await runDue();
    const after = await scanned();
    expect(after).not.toContain(EMAIL.toLowerCase());
    expect(after).not.toContain('wherase#');
    expect(after).not.toContain('whdonor#');
    expect(await readDonorStatus({ keys: testKeys, donors }, EMAIL)).toBeUndefined();
  });
});
