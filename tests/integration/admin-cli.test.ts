import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { queryIndex } from '../../functions/adapters/dynamo-pages.js';
import { runAdmin, runAdminHere, startCli } from '../support/cli.js';
import { postJson } from '../support/dev-server.js';
import { type RunningProduct, startProduct } from '../support/process.js';

interface Mail {
  subject: string;
  to: string[];
  text: string;
}

/** Polls the running product's outbox (for up to 10 s) until `done` holds, and returns it. */
const waitForOutbox = async (url: string, done: (outbox: Mail[]) => boolean) => {
  const outboxOf = async () => (await (await fetch(`${url}/_local/outbox`)).json()) as Mail[];
  let outbox = await outboxOf();
  for (let i = 0; i < 100 && !done(outbox); i++) {
    await new Promise((r) => setTimeout(r, 100));
    outbox = await outboxOf();
  }
  return outbox;
};

let dataDir: string;
let product: RunningProduct;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'appeal-admin-'));
  product = await startProduct(dataDir);
});
afterAll(async () => {
  await product?.interrupt();
  await rm(dataDir, { recursive: true, force: true });
});

// The CLI runs inside this process (runAdminHere, tests/support/cli.ts), as dozens of runs of its own would each
// spend a second starting; as a process of its own where that is the point: killed mid-export, and its exit codes.
describe('npm run admin', () => {
  it('creates, lists and closes a campaign on the running dev server\'s data', async () => {
    const created = await runAdminHere(['--data-dir', dataDir, 'campaign', 'create', '--id', 'spring', '--title', 'Spring appeal', '--goal', '250000', '--currency', 'eur', '--shards', '3']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created campaign spring on the running dev server');

    const progress = await (await fetch(`${product.url}/v1/campaigns/spring`)).json();
    expect(progress).toMatchObject({ id: 'spring', title: 'Spring appeal', currency: 'eur', goal: 250000, raised: 0 });

    const listed = await runAdminHere(['--data-dir', dataDir, 'campaign', 'list']);
    expect(listed.stdout).toMatch(/spring\topen\t€0\.00 of €2,500\.00/);
    expect(listed.stdout).toMatch(/ukraine\topen/);

    expect((await runAdminHere(['--data-dir', dataDir, 'campaign', 'close', 'spring'])).code).toBe(0);
    const checkout = await fetch(`${product.url}/v1/donations/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ campaign: 'spring', amount: 1000, currency: 'eur' }),
    });
    expect(checkout.status).toBe(400);
    // Its totals are spread over the shard count it was created with; closing it keeps that count.
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as { dynamodb: string; tables: { donations: string } };
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const { Item } = await dynamo.send(new GetCommand({ TableName: endpoints.tables.donations, Key: { pk: 'CAMPAIGN#spring', sk: 'CAMPAIGN' } }));
    expect(Item).toMatchObject({ shards: 3, open: false });
    dynamo.destroy();
    const refused = await runAdminHere(['--data-dir', dataDir, 'campaign', 'create', '--id', 'other', '--title', 'T', '--goal', '1', '--currency', 'eur', '--shards', '0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('shards must be a whole number from 1 to 99');
  });

  it('creates, lists and revokes tokens; the token is the last line and works on the admin API', async () => {
    const created = await runAdminHere(['--data-dir', dataDir, 'token', 'create', '--name', 'ops laptop']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^apl_[A-Za-z0-9_-]{43}$/);
    const stats = await fetch(`${product.url}/v1/admin/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(stats.status).toBe(200);
    const listed = await runAdminHere(['--data-dir', dataDir, 'token', 'list']);
    expect(listed.stdout).toMatch(/\tops laptop\tcreated .+\tlast used 20/);
    expect(listed.stdout).not.toContain(token);
    expect((await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', 'ops laptop'])).code).toBe(0);
    expect((await fetch(`${product.url}/v1/admin/stats`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('revokes every token of a name and says how many, or one token by its id', async () => {
    const create = async (name: string) => {
      const created = await runAdminHere(['--data-dir', dataDir, 'token', 'create', '--name', name]);
      expect(created.code, created.stderr).toBe(0);
      const id = /created token ([0-9a-f]+) /.exec(created.stdout)?.[1] ?? '';
      return { id, token: created.stdout.trim().split('\n').at(-1) ?? '' };
    };
    const works = async (token: string) => (await fetch(`${product.url}/v1/admin/stats`, { headers: { authorization: `Bearer ${token}` } })).status === 200;
    const [first, second, third, other] = [await create('twin'), await create('twin'), await create('twin'), await create('not a twin')];

    const one = await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', '--id', first.id]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`revoked token ${first.id} (twin)`);
    expect([await works(first.token), await works(second.token), await works(third.token), await works(other.token)]).toEqual([false, true, true, true]);

    const named = await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', 'twin']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain('revoked 2 tokens named "twin"');
    expect(named.stdout).toContain(second.id);
    expect(named.stdout).toContain(third.id);
    expect([await works(second.token), await works(third.token), await works(other.token)]).toEqual([false, false, true]);

    for (const args of [['twin'], ['--id', first.id], ['--id', 'twin']]) {
      const none = await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', ...args]);
      expect(none.code, args.join(' ')).toBe(1);
      expect(none.stderr).toMatch(/^error: there is no token (named "twin"|with id \S+)\n$/);
    }
    for (const args of [[], ['twin', '--id', other.id]]) {
      const unclear = await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', ...args]);
      expect(unclear.code, args.join(' ')).not.toBe(0);
    }
    expect(await works(other.token)).toBe(true);
  });

  it('gives the temporary token of an export an hour to live, so a killed run leaves nothing that lasts', { timeout: 60_000 }, async () => {
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as { dynamodb: string; tables: { subscribers: string } };
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const tokens = new DynamoAdminTokens(dynamo, endpoints.tables.subscribers);
    try {
      const run = startCli('admin', ['--data-dir', dataDir, 'export', 'subscribers', '-o', '-']);
      const pid = run.child.pid;
      let temporary: Awaited<ReturnType<DynamoAdminTokens['list']>>[number] | undefined;
      for (let i = 0; i < 400 && !temporary; i++) {
        temporary = (await tokens.list()).find((t) => t.name === `admin-cli temporary ${pid}`);
        if (!temporary) await new Promise((r) => setTimeout(r, 25));
      }
      run.child.kill('SIGKILL'); // as a closed laptop or an out-of-memory killer would: no cleanup runs
      const { code } = await run.done;
      expect(code).toBeNull();
      expect(temporary).toBeDefined();
      const left = (await tokens.list()).find((t) => t.id === temporary?.id);
      expect(left).toBeDefined();
      const lifetime = Date.parse(left?.expiresAt ?? '') - Date.parse(left?.createdAt ?? '');
      expect(lifetime).toBeGreaterThan(3599_000);
      expect(lifetime).toBeLessThanOrEqual(3601_000);
      // DynamoDB's time to live (the table's `expiresAt`, in epoch seconds) then deletes the item.
      const [item] = (await queryIndex(dynamo, endpoints.tables.subscribers, 'TOKENS')).filter((i) => i.id === temporary?.id);
      expect(item?.expiresAt).toBe(Math.ceil(Date.parse(left?.expiresAt ?? '') / 1000));
      const listed = await runAdminHere(['--data-dir', dataDir, 'token', 'list']);
      expect(listed.stdout).toContain(`${temporary?.id}\tadmin-cli temporary ${pid}\tcreated ${left?.createdAt}\tlast used `);
      expect(listed.stdout).toContain(`\texpires ${left?.expiresAt}`);
      expect((await runAdminHere(['--data-dir', dataDir, 'token', 'revoke', '--id', temporary?.id ?? ''])).code).toBe(0);
    } finally {
      dynamo.destroy();
    }
  });

  it('exports to a file and answers data requests, with a temporary token it cleans up', async () => {
    await fetch(`${product.url}/v1/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cli.reader@example.org' }) });
    await waitForOutbox(product.url, (mail) => mail.some((m) => m.to.includes('cli.reader@example.org')));
    const file = join(dataDir, 'out.csv');
    const exported = await runAdminHere(['--data-dir', dataDir, 'export', 'subscribers', '--status', 'pending', '-o', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`1 row written to ${file}`);
    const csv = await readFile(file, 'utf8');
    expect(csv).toMatch(/^\uFEFFemail,name,status,lists,subscribed_at,confirmed_at,unsubscribed_at,source[,\r][^\n]*\ncli\.reader@example\.org,,pending,news,/);

    const shown = await runAdminHere(['--data-dir', dataDir, 'subscriber', 'show', 'cli.reader@example.org']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'cli.reader@example.org', status: 'pending' });
    expect((await runAdminHere(['--data-dir', dataDir, 'subscriber', 'erase', '--yes', 'cli.reader@example.org'])).stdout).toContain('erased');
    const missing = await runAdminHere(['--data-dir', dataDir, 'subscriber', 'show', 'nobody@example.org']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('404');
    const tokens = await runAdminHere(['--data-dir', dataDir, 'token', 'list']);
    expect(tokens.stdout).not.toContain('temporary');
  });

  it('receipts a gift and a monthly renewal that an address gives after `subscriber erase`', async () => {
    const email = 'erased.donor@example.org';
    await postJson(`${product.url}/v1/subscriptions`, { email });
    await waitForOutbox(product.url, (mail) => mail.some((m) => m.to.includes(email)));
    expect((await runAdminHere(['--data-dir', dataDir, 'subscriber', 'erase', '--yes', email])).stdout).toContain('erased');

    const give = async (frequency: 'once' | 'monthly') => {
      const checkout = (await (await postJson(`${product.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 2500, currency: 'usd', frequency, email })).json()) as { id: string };
      return (await (await postJson(`${product.url}/_local/stripe/checkout/${checkout.id}/complete`, {})).json()) as { paymentIntent: string; subscription?: string };
    };
    const once = await give('once');
    const monthly = await give('monthly');
    const renewal = (await (await postJson(`${product.url}/_local/stripe/subscriptions/${monthly.subscription}/renew`, {})).json()) as { paymentIntent: string };
    const references = [once.paymentIntent, monthly.paymentIntent, renewal.paymentIntent];
    expect(references.every((pi) => /^pi_/.test(pi))).toBe(true);

    const receiptsIn = (mail: Mail[]) => mail.filter((m) => m.to.includes(email) && m.subject.startsWith('Thank you'));
    const receipts = receiptsIn(await waitForOutbox(product.url, (mail) => receiptsIn(mail).length >= 3));
    expect(receipts.map((m) => m.text.match(/Reference: (\S+)/)?.[1]).sort()).toEqual([...references].sort());
    // The receipts put nothing back on the list: the address is still held only as its erasure marker.
    const shown = JSON.parse((await runAdminHere(['--data-dir', dataDir, 'subscriber', 'show', email])).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ status: 'suppressed', suppression: { reason: 'erased' } });
    expect(shown).not.toHaveProperty('lists');
  });

  it('shows and erases the very address it is given, whatever %, + or / it holds', async () => {
    const signup = (email: string) =>
      fetch(`${product.url}/v1/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const pairs = [
      ['a%61.cli@example.org', 'aa.cli@example.org'],
      ['b+cli@example.org', 'b%2bcli@example.org'],
      ['c/cli@example.org', 'c%2fcli@example.org'],
    ] as const;
    for (const [requester, bystander] of pairs) {
      await signup(bystander);
      await signup(requester);
    }
    await waitForOutbox(product.url, (mail) => pairs.flat().every((email) => mail.some((m) => m.to.includes(email))));
    const show = async (email: string) => {
      const shown = await runAdminHere(['--data-dir', dataDir, 'subscriber', 'show', email]);
      expect(shown.code, shown.stderr).toBe(0);
      return JSON.parse(shown.stdout) as Record<string, unknown>;
    };
    for (const [requester, bystander] of pairs) {
      expect(await show(requester)).toMatchObject({ email: requester, status: 'pending' });
      const erased = await runAdminHere(['--data-dir', dataDir, 'subscriber', 'erase', '--yes', requester]);
      expect(erased.code, erased.stderr).toBe(0);
      expect(erased.stdout).toContain(`erased ${requester}`);
      expect(await show(bystander)).toMatchObject({ email: bystander, status: 'pending' });
    }
  });

  it('explains bad input and exits non-zero', async () => {
    const bad = await runAdmin(['--data-dir', dataDir, 'campaign', 'create', '--id', 'Bad Id', '--title', 't', '--goal', '1', '--currency', 'usd']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Lowercase letters, digits and dashes.');
    const missing = await runAdmin(['--data-dir', dataDir, 'campaign', 'close', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no campaign nope');
    const help = await runAdmin(['--help']);
    expect(help.stdout).toContain('campaign');
  });
});
