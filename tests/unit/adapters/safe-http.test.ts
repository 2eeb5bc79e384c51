import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, type OutboundPolicy, type ResolvedAddress, type Resolver, SafeHttp } from '../../../functions/adapters/safe-http.js';
import { Webhook } from 'standardwebhooks';
import { deliver } from '../../../functions/core/events/delivery.js';
import { newSigningSecret } from '../../../functions/core/events/signing.js';
import { ForbiddenTargetError, OutboundRequestError } from '../../../functions/core/shared/outbound-http.js';
import { FakeClock } from '../../support/fakes.js';

const deployed: OutboundPolicy = { allowLoopbackHttp: false, ownOrigins: ['https://api.news.example'] };

/** A resolver from a table; a name may answer differently on each lookup (DNS rebinding). Counts its lookups. */
const resolverOf = (table: Record<string, string[] | string[][]>) => {
  const calls: string[] = [];
  const resolver: Resolver = async (hostname) => {
    const n = calls.filter((h) => h === hostname).length;
    calls.push(hostname);
    const entry = table[hostname];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answers = (Array.isArray(entry[0]) ? (entry as string[][])[Math.min(n, entry.length - 1)] : entry) as string[];
    return answers.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
};

const refused = async (client: SafeHttp, url: string, reason: RegExp) => {
  const error = await client.request({ method: 'POST', url, body: '{}' }).catch((e: unknown) => e);
  expect(error, url).toBeInstanceOf(ForbiddenTargetError);
  expect((error as Error).message, url).toMatch(reason);
  // When an endpoint is added, the same check answers without sending anything.
  await expect(client.check(url), url).rejects.toBeInstanceOf(ForbiddenTargetError);
};

let server: Server;
let port: number;
const seen: IncomingMessage[] = [];
const receiverSecret = newSigningSecret();
const verified: unknown[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url === '/receiver') {
      // A newsroom's receiver in a few lines: verify the raw body with standardwebhooks, answer 2xx.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          verified.push(new Webhook(receiverSecret).verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>));
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
      return;
    }
    req.resume();
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (req.url === '/large') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(200_000));
    } else if (req.url === '/silent') {
      // Never answers.
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the guarded HTTP client on a deployed stage', () => {
  const { resolver } = resolverOf({
    'hooks.example.org': ['93.184.216.34'],
    'inside.example.org': ['10.1.2.3'],
    'mixed.example.org': ['93.184.216.34', '192.168.0.10'],
    'v6inside.example.org': ['fd12:3456::1'],
    'metadata.example.org': ['169.254.169.254'],
    'api.news.example': ['93.184.216.35'],
  });
  const client = new SafeHttp(deployed, resolver);

  it('refuses plain http, even to a public address', async () => {
    await refused(client, 'http://hooks.example.org/appeal', /Only https/);
  });

  it('refuses loopback in every notation of an address', async () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://127.1.2.3/',
      'https://2130706433/',
      'https://0177.0.0.1/',
      'https://0x7f000001/',
      'https://0x7f.0.0.1/',
      'https://[::1]/',
      'https://[0:0:0:0:0:0:0:1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://app.localhost/',
    ]) {
      await refused(client, url, /loopback/);
    }
  });

  it('refuses private, shared, link-local, unspecified, multicast, broadcast and reserved addresses, IPv4 inside IPv6 too', async () => {
    const cases: [string, RegExp][] = [
      ['https://10.0.0.1/', /private/],
      ['https://172.16.5.4/', /private/],
      ['https://172.31.255.255/', /private/],
      ['https://192.168.1.1/', /private/],
      ['https://100.64.0.1/', /shared/],
      ['https://100.127.255.254/', /shared/],
      ['https://169.254.10.10/', /link-local/],
      ['https://0.0.0.0/', /unspecified/],
      ['https://0/', /unspecified/],
      ['https://[::]/', /unspecified/],
      ['https://224.0.0.1/', /multicast/],
      ['https://[ff02::1]/', /multicast/],
      ['https://255.255.255.255/', /broadcast/],
      ['https://240.0.0.1/', /reserved/],
      ['https://192.0.2.10/', /reserved/],
      ['https://[fc00::1]/', /private/],
      ['https://[fd00::1]/', /private/],
      ['https://[fe80::1]/', /link-local/],
      ['https://[::ffff:10.0.0.1]/', /private/],
      ['https://[::ffff:192.168.0.1]/', /private/],
      ['https://[64:ff9b::a00:1]/', /private/],
      ['https://[2002:a00:1::]/', /private/],
      ['https://[2001:db8::1]/', /reserved/],
      ['https://012.0.0.1/', /private/],
      ['https://167772161/', /private/],
    ];
    for (const [url, reason] of cases) await refused(client, url, reason);
  });

  it('refuses the instance metadata addresses, by IP and by a name that resolves to one', async () => {
    await refused(client, 'https://169.254.169.254/latest/meta-data/', /metadata/);
    await refused(client, 'https://[fd00:ec2::254]/', /metadata/);
    await refused(client, 'https://[::ffff:169.254.169.254]/', /metadata/);
    await refused(client, 'https://0xa9fea9fe/', /metadata/);
    await refused(client, 'https://metadata.example.org/', /metadata/);
  });

  it('refuses a name that resolves to a private address, and one where ANY of its addresses is private', async () => {
    await refused(client, 'https://inside.example.org/hook', /resolves to a private address/);
    await refused(client, 'https://v6inside.example.org/hook', /private/);
    await refused(client, 'https://mixed.example.org/hook', /private/);
  });

  it('refuses the stage’s own API, by name whatever it resolves to', async () => {
    await refused(client, 'https://api.news.example/v1/subscriptions', /own API/);
    await refused(client, 'https://API.NEWS.EXAMPLE./v1/subscriptions', /own API/);
  });

  it('refuses a URL with credentials, and one that is not a URL', async () => {
    await refused(client, 'https://user:pass@hooks.example.org/', /user name or password/);
    await refused(client, 'hooks.example.org/appeal', /Not an absolute URL/);
    await refused(client, 'ftp://hooks.example.org/', /Only https/);
  });

  it('accepts a public https URL when it is checked', async () => {
    await expect(client.check('https://hooks.example.org/appeal')).resolves.toMatchObject({
      hostname: 'hooks.example.org',
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
  });

  it('checks again at each request, so a name rebound to a private address after it was added is refused', async () => {
    const { resolver: rebinding, calls } = resolverOf({ 'rebind.example.org': [['93.184.216.34'], ['10.0.0.7']] });
    const rebound = new SafeHttp(deployed, rebinding);
    await expect(rebound.check('https://rebind.example.org/hook')).resolves.toBeDefined();
    await refused(rebound, 'https://rebind.example.org/hook', /private/);
    expect(calls.length).toBeGreaterThanOrEqual(2);
  });

  it('says a name that does not resolve cannot be called now, without calling it forbidden', async () => {
    const error = await client.request({ method: 'POST', url: 'https://nowhere.example.org/' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('classifies public addresses as public', () => {
    expect(classifyAddress('93.184.216.34')).toBe('public');
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2606:4700:4700::1111')).toBe('public');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
    expect(classifyAddress('not an address')).toBe('reserved');
  });
});

describe('the guarded HTTP client on the dev server', () => {
  const dev = (resolver: Resolver) => new SafeHttp({ allowLoopbackHttp: true, ownOrigins: ['http://127.0.0.1:3999'] }, resolver);

  it('allows http:// to loopback, and nothing else private', async () => {
    const { resolver } = resolverOf({ 'inside.example.org': ['10.1.2.3'], 'hooks.example.org': ['93.184.216.34'] });
    const client = dev(resolver);
    const answer = await client.request({ method: 'POST', url: `http://127.0.0.1:${port}/hook`, body: '{}' });
    expect(answer.status).toBe(200);
    await refused(client, 'http://10.0.0.1/', /private/);
    await refused(client, 'http://[::ffff:10.0.0.1]/', /private/);
    await refused(client, 'http://169.254.169.254/', /metadata/);
    await refused(client, 'http://inside.example.org/', /private/);
    await refused(client, 'http://hooks.example.org/', /this machine only/);
    await refused(client, 'http://100.64.1.1/', /shared/);
  });

  it('refuses the dev server’s own API under any loopback name', async () => {
    const client = dev(resolverOf({}).resolver);
    await refused(client, 'http://127.0.0.1:3999/v1/subscriptions', /own API/);
    await refused(client, 'http://localhost:3999/v1/subscriptions', /own API/);
    await refused(client, 'http://[::1]:3999/v1/subscriptions', /own API/);
  });

  it('connects to the address it checked, with the URL’s Host, however the name answers afterwards (DNS rebinding)', async () => {
    const { resolver, calls } = resolverOf({ 'receiver.test': [['127.0.0.1'], ['10.0.0.7']] });
    const client = dev(resolver);
    const answer = await client.request({ method: 'POST', url: `http://receiver.test:${port}/hook`, body: '{"a":1}' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ host: `receiver.test:${port}` });
    // One lookup, for the check; the connection used its answer instead of asking again.
    expect(calls).toEqual(['receiver.test']);
    await refused(client, `http://receiver.test:${port}/hook`, /private/);
  });

  it('delivers a signed event that a real receiver verifies with standardwebhooks', async () => {
    const client = dev(resolverOf({}).resolver);
    const endpoint = { id: 'wh_1', url: `http://127.0.0.1:${port}/receiver`, events: ['*'] as ['*'], secret: receiverSecret, createdAt: '2026-11-01T00:00:00.000Z' };
    const event = {
      id: 'evt_1',
      type: 'monthly.started' as const,
      timestamp: '2026-11-25T10:00:00.000Z',
      data: { id: 'sub_1', campaign: 'spring', amount: 1000, currency: 'eur', frequency: 'monthly' as const, status: 'active' as const },
    };
    const report = await deliver(endpoint, event, client, new FakeClock(new Date()));
    expect(report).toMatchObject({ delivered: true, responseStatus: 204 });
    expect(verified).toEqual([{ type: 'monthly.started', timestamp: event.timestamp, data: event.data }]);
    const forged = await deliver({ ...endpoint, secret: newSigningSecret() }, event, client, new FakeClock(new Date()));
    expect(forged).toMatchObject({ delivered: false, responseStatus: 400, error: 'status' });
  });

  it('does not follow a redirect', async () => {
    const client = dev(resolverOf({}).resolver);
    const before = seen.length;
    const answer = await client.request({ method: 'POST', url: `http://127.0.0.1:${port}/redirect` });
    expect(answer.status).toBe(302);
    expect(seen.length).toBe(before + 1);
  });

  it('reads a body up to its cap and drops the rest', async () => {
    const client = dev(resolverOf({}).resolver);
    const answer = await client.request({ method: 'GET', url: `http://127.0.0.1:${port}/large`, maxResponseBytes: 1000 });
    expect(answer).toMatchObject({ status: 200, truncated: true });
    expect(answer.body).toHaveLength(1000);
    const whole = await client.request({ method: 'GET', url: `http://127.0.0.1:${port}/large` });
    expect(whole).toMatchObject({ truncated: false });
    expect(whole.body).toHaveLength(200_000);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    const client = dev(resolverOf({}).resolver);
    const error = await client.request({ method: 'POST', url: `http://127.0.0.1:${port}/silent`, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRequestError);
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await dev(resolverOf({}).resolver).request({ method: 'GET', url: `http://127.0.0.1:${freePort}/` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
  });
});
