import { describe, expect, it } from 'vitest';
import { type OutboundPolicy, SafeHttp } from '../../../../functions/adapters/safe-http.js';
import { addConnector, type ConnectorAdminDeps, isWebhookSecret, listConnectors, NewConnector, removeConnector } from '../../../../functions/core/connectors/admin.js';
import { NotFoundError } from '../../../../functions/core/shared/errors.js';
import { ForbiddenTargetError } from '../../../../functions/core/shared/outbound-http.js';
import { parse, safeParse } from '../../../../functions/core/shared/schema.js';
import { MemoryConnectors } from '../../../support/connector-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const AWS: OutboundPolicy = { allowLoopbackHttp: false, ownOrigins: ['https://appeal.news.example'] };
const publicDns = async () => [{ address: '93.184.216.34', family: 4 as const }];

const depsFor = (policy = AWS) => {
  const http = new SafeHttp(policy, publicDns);
  const deps: ConnectorAdminDeps = { clock: new FakeClock(), connectors: new MemoryConnectors(), checkUrl: (url) => http.check(url), publicApiUrl: 'https://appeal.news.example' };
  return deps;
};

const KEY = '0123456789abcdef0123456789abcdef-us6';

describe('adding a connector', () => {
  it('gives Mailchimp\'s list webhook an address with a secret of its own, and lists the connector without its key', async () => {
    const deps = depsFor();
    const added = await addConnector(deps, parse(NewConnector, { kind: 'mailchimp', apiKey: KEY, list: 'a1b2c3' }));
    expect(added).toMatchObject({ kind: 'mailchimp', list: 'a1b2c3', apiUrl: 'https://us6.api.mailchimp.com' });
    const secret = new URL(added.webhookUrl ?? '').searchParams.get('secret') ?? '';
    expect(added.webhookUrl).toBe(`https://appeal.news.example/v1/connectors/${added.id}/mailchimp?secret=${secret}`);
    const stored = await deps.connectors.get(added.id);
    expect(stored && isWebhookSecret(stored, secret)).toBe(true);
    expect(stored && isWebhookSecret(stored, `${secret.slice(1)}x`)).toBe(false);
    expect(stored && isWebhookSecret(stored, undefined)).toBe(false);
    expect(JSON.stringify(await listConnectors(deps))).not.toContain(KEY);
    expect(JSON.stringify(await listConnectors(deps))).not.toContain(secret);
  });

  it('takes listmonk\'s lists as the CLI writes them and never shows its token', async () => {
    const deps = depsFor();
    const added = await addConnector(deps, parse(NewConnector, { kind: 'listmonk', url: 'https://lists.news.example/', username: 'appeal', token: 'sekrit-token', lists: '3, 4' }));
    expect(added).toMatchObject({ kind: 'listmonk', url: 'https://lists.news.example', lists: [3, 4] });
    expect('webhookUrl' in added).toBe(false);
    expect(JSON.stringify(await listConnectors(deps))).not.toContain('sekrit-token');
  });

  it.each([
    ['an http:// tool on a deployed stage', { kind: 'listmonk', url: 'http://lists.news.example', username: 'u', token: 't', lists: [1] }],
    ['a private address', { kind: 'listmonk', url: 'https://10.0.0.8', username: 'u', token: 't', lists: [1] }],
    ['the metadata address as a Mailchimp stand-in', { kind: 'mailchimp', apiKey: KEY, list: 'a1', apiUrl: 'https://169.254.169.254' }],
    ['the stage\'s own API', { kind: 'listmonk', url: 'https://appeal.news.example', username: 'u', token: 't', lists: [1] }],
  ])('refuses %s and keeps nothing', async (_name, input) => {
    const deps = depsFor();
    await expect(addConnector(deps, parse(NewConnector, input))).rejects.toBeInstanceOf(ForbiddenTargetError);
    expect(await listConnectors(deps)).toEqual([]);
  });

  it.each([
    ['a Mailchimp key without its data centre', { kind: 'mailchimp', apiKey: '0123456789abcdef', list: 'a1' }],
    ['no listmonk list', { kind: 'listmonk', url: 'https://l.example', username: 'u', token: 't', lists: '' }],
    ['a list that is not a number', { kind: 'listmonk', url: 'https://l.example', username: 'u', token: 't', lists: '3,x' }],
    ['another tool', { kind: 'ghost', url: 'https://l.example' }],
    ['another field', { kind: 'mailchimp', apiKey: KEY, list: 'a1', ipOpt: '1.2.3.4' }],
  ])('refuses %s as invalid', (_name, input) => {
    expect(safeParse(NewConnector, input).success).toBe(false);
  });
});

describe('removing a connector', () => {
  it('removes it once, and an unknown one is not found', async () => {
    const deps = depsFor();
    const { id } = await addConnector(deps, parse(NewConnector, { kind: 'mailchimp', apiKey: KEY, list: 'a1' }));
    await removeConnector(deps, id);
    expect(await listConnectors(deps)).toEqual([]);
    await expect(removeConnector(deps, id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
