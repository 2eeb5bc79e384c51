import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { runAdminHere } from '../support/cli.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

/**
 * Giving statements through the dev server: gifts paid through the Stripe simulator and its webhook, the statements
 * sent by the admin CLI (twice: once), and the statement's printable page behind the email's link.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(
    campaignSettings({ id: 'statement', title: 'Statement Appeal' }),
    new Date(),
  );
});
afterAll(() => server.stop());

/** A paid one-time gift by `email`, once its receipt has gone out (the ledger has it then). */
const give = async (email: string, amount: number) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'statement', amount, currency: 'usd', email });
  expect(response.status).toBe(201);
  const session = (await response.json()) as { id: string };
  expect((await postJson(`${server.url}/_local/stripe/checkout/${session.id}/complete`, {})).status).toBe(200);
};

const receipts = async (email: string) => (await server.mailTo(email)).filter((m) => !m.text.includes('/v1/donations/statement'));
const statements = async (email: string) => (await server.mailTo(email)).filter((m) => m.text.includes('/v1/donations/statement'));

describe('giving statements', () => {
  it('sends each donor of the year one statement from the CLI, however often it runs, and shows it as a page', async () => {
    await give('yearly@example.org', 2500);
    await give('yearly@example.org', 1000);
    await give('someone@example.org', 700);
    for (let i = 0; i < 100 && ((await receipts('yearly@example.org')).length < 2 || (await receipts('someone@example.org')).length < 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const year = String(new Date().getUTCFullYear());
    const first = await runAdminHere(['--data-dir', server.dataDir, 'statements', 'send', '--year', year]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ year: Number(year), donors: 2, sent: 2 });
    const again = await runAdminHere(['--data-dir', server.dataDir, 'statements', 'send', '--year', year]);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ donors: 2, sent: 0, duplicate: 2 });
    const [statement, ...more] = await statements('yearly@example.org');
    expect(more).toEqual([]);
    expect(await statements('someone@example.org')).toHaveLength(1);
    expect(statement?.subject).toBe(`Your giving statement for ${year}`);
    expect(statement?.text).toContain('$25.00 to Statement Appeal');
    expect(statement?.text).toContain('Total given: $35.00');
    expect(statement?.text).not.toContain('$7.00');

    const link = /(http:\/\/\S+\/v1\/donations\/statement\?token=[\w.-]+&year=\d{4})/.exec(statement?.text ?? '')?.[1] ?? '';
    const page = await fetch(link, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain(`Giving statement ${year}`);
    expect(body).toContain('$35.00');
    expect(body).not.toContain('<script');
    const forged = await fetch(link.replace(/token=[\w.-]+/, `token=v1.${'A'.repeat(80)}`), { headers: { accept: 'text/html' } });
    expect(forged.status).toBe(400);

    // The sent-marker of each statement outlives the ledger's 90 days: a run years later still sends nothing twice.
    const { Items } = await documentClient(server.clientOptions).send(
      new ScanCommand({ TableName: server.tables.subscribers, FilterExpression: 'begins_with(pk, :statement)', ExpressionAttributeValues: { ':statement': 'MAIL#statement:' } }),
    );
    expect(Items?.map((item) => item.state)).toEqual(['sent', 'sent']);
    for (const item of Items ?? []) expect(Number(item.expiresAt)).toBeGreaterThan(Date.now() / 1000 + 6 * 365 * 86400);

    const bad = await runAdminHere(['--data-dir', server.dataDir, 'statements', 'send', '--year', 'last']);
    expect(bad.code).not.toBe(0);
  });
});
