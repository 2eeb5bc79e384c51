import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { runAdminHere } from '../support/cli.js';
import { startTables } from '../support/dynamodb.js';

// `campaign create` on a closed campaign: it stays closed unless --reopen, and says so. The CLI finds the
// run's DynamoDB Local through the data folder's endpoints file, as it finds a running dev server's.

let dir: string;
let tables: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  tables = await startTables();
  dir = await mkdtemp(join(tmpdir(), 'appeal-reopen-'));
  await writeFile(join(dir, 'endpoints.json'), JSON.stringify({ url: 'http://127.0.0.1:9', pid: process.pid, dynamodb: tables.endpoint, tables: tables.tables }));
});
afterAll(async () => {
  await tables?.close();
  await rm(dir, { recursive: true, force: true });
});

const create = (...extra: string[]) =>
  runAdminHere(['--data-dir', dir, 'campaign', 'create', '--id', 'spring', '--title', 'Spring appeal', '--goal', '100000', '--currency', 'usd', ...extra]);
const isOpen = async () => (await new DynamoCampaignRepository(tables.client, tables.tables.donations).getSettings('spring'))?.open;

describe('campaign create on a closed campaign', () => {
  it('keeps it closed and says how to reopen it; --reopen reopens it and says so', async () => {
    expect((await create('--closed')).stdout).toContain('created campaign spring on the running dev server (http://127.0.0.1:9); closed: it takes no gifts');
    expect(await isOpen()).toBe(false);

    const updated = await create('--goal', '200000');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('updated campaign spring');
    expect(updated.stdout).toContain('it stays closed and takes no gifts (pass --reopen to take gifts again)');
    expect(await isOpen()).toBe(false);

    const reopened = await create('--reopen');
    expect(reopened.stdout).toContain('reopened: it takes gifts again');
    expect(await isOpen()).toBe(true);
  });

  it('refuses --reopen together with --closed', async () => {
    const both = await create('--closed', '--reopen');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--reopen.*cannot be used with.*--closed/);
  });
});
