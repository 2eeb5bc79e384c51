import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  ForbiddenTargetError,
  type OutboundHttp,
  type OutboundRequest,
  OutboundRequestError,
  type OutboundResponse,
} from '../core/shared/outbound-http.js';

/**
 * Where requests to URLs given from outside may go. A deployed stage allows `https://` to public addresses only;
 * the dev server also allows plain `http://` to loopback addresses (its stand-ins and a developer's receiver),
 * and nothing else private. The stage's own API is never a target, whatever it resolves to.
 */
export interface OutboundPolicy {
  allowLoopbackHttp: boolean;
  /** The stage's own API origins (`https://api.example.org`, or the dev server's `http://127.0.0.1:3000`). */
  ownOrigins: readonly string[];
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a name resolves to, as the operating system's resolver gives them (so /etc/hosts counts too). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

const MAX_URL_LENGTH = 2048;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'shared' | 'unspecified' | 'multicast' | 'broadcast' | 'reserved' | 'metadata';

const REASONS: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  shared: 'a shared (carrier-grade NAT) address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  metadata: 'the instance metadata address',
};

/** IPv4 ranges that are not the public internet (RFC 6890's special-purpose registry), most specific first. */
const V4_RANGES: [number, number, AddressKind][] = [
  [ipv4Number('169.254.169.254'), 32, 'metadata'],
  [ipv4Number('255.255.255.255'), 32, 'broadcast'],
  [ipv4Number('0.0.0.0'), 8, 'unspecified'],
  [ipv4Number('10.0.0.0'), 8, 'private'],
  [ipv4Number('100.64.0.0'), 10, 'shared'],
  [ipv4Number('127.0.0.0'), 8, 'loopback'],
  [ipv4Number('169.254.0.0'), 16, 'link-local'],
  [ipv4Number('172.16.0.0'), 12, 'private'],
  [ipv4Number('192.0.0.0'), 24, 'reserved'],
  [ipv4Number('192.0.2.0'), 24, 'reserved'],
  [ipv4Number('192.88.99.0'), 24, 'reserved'],
  [ipv4Number('192.168.0.0'), 16, 'private'],
  [ipv4Number('198.18.0.0'), 15, 'reserved'],
  [ipv4Number('198.51.100.0'), 24, 'reserved'],
  [ipv4Number('203.0.113.0'), 24, 'reserved'],
  [ipv4Number('224.0.0.0'), 4, 'multicast'],
  [ipv4Number('240.0.0.0'), 4, 'reserved'],
];

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const classifyV4 = (ip: string): AddressKind => {
  const n = ipv4Number(ip);
  for (const [base, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (n >= base && n < base + size) return kind;
  }
  return 'public';
};

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included), or undefined. */
const ipv6Groups = (raw: string): number[] | undefined => {
  let ip = raw;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (tail?.[1]) {
    const n = ipv4Number(tail[1]);
    ip = `${ip.slice(0, -tail[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const head = part(halves[0]);
  const rest = part(halves[1]);
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill(0), ...rest] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
};

const v4From = (high: number, low: number) => [high >>> 8, high & 0xff, low >>> 8, low & 0xff].join('.');

const classifyV6 = (raw: string): AddressKind => {
  // A zone (fe80::1%eth0) names an interface of this machine: never a public address.
  if (raw.includes('%')) return 'link-local';
  const g = ipv6Groups(raw);
  if (!g) return 'reserved';
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h7 = 0, h8 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return 'unspecified';
  if (zeroTo(7) && h8 === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address inside: judge that one.
  if (zeroTo(5) && f === 0xffff) return classifyV4(v4From(h7, h8));
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return classifyV4(v4From(h7, h8));
  // 6to4 (2002:AABB:CCDD::) carries an IPv4 address in its second and third groups.
  if (a === 0x2002) return classifyV4(v4From(b, c));
  if (g.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':')) return 'metadata';
  if ((a & 0xfe00) === 0xfc00) return 'private';
  if ((a & 0xffc0) === 0xfe80) return 'link-local';
  if ((a & 0xffc0) === 0xfec0) return 'private';
  if ((a & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is global unicast; in it, 2001::/23 (Teredo, benchmarking, ORCHID...) and 2001:db8::/32 are not for the internet.
  if ((a & 0xe000) !== 0x2000) return 'reserved';
  if (a === 0x2001 && (b < 0x200 || b === 0xdb8)) return 'reserved';
  return 'public';
};

/** What kind of address an IP literal is: `public`, or why it is not. */
export const classifyAddress = (ip: string): AddressKind => (isIP(ip) === 4 ? classifyV4(ip) : isIP(ip.split('%')[0] ?? '') === 6 ? classifyV6(ip) : 'reserved');

const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

const parseOrigin = (origin: string) => {
  try {
    return new URL(origin);
  } catch {
    return undefined;
  }
};

/**
 * Whether a URL reaches the stage's own API: the same host and port, or, for an API on loopback (the dev
 * server), any loopback address on its port (`localhost:3000` is `127.0.0.1:3000`).
 */
const isOwnApi = (url: URL, addresses: readonly ResolvedAddress[], ownOrigins: readonly string[]) =>
  ownOrigins.some((raw) => {
    const own = parseOrigin(raw);
    if (!own) return false;
    if (own.host.toLowerCase().replace(/\.$/, '') === url.host.toLowerCase().replace(/\.$/, '')) return true;
    const ownHost = own.hostname.replace(/^\[|\]$/g, '');
    const ownIsLoopback = ownHost === 'localhost' || classifyAddress(ownHost) === 'loopback';
    return ownIsLoopback && portOf(own) === portOf(url) && addresses.some((a) => classifyAddress(a.address) === 'loopback');
  });

export interface CheckedTarget {
  url: URL;
  /** The host without brackets: a name, or an IP literal. */
  hostname: string;
  /** Where a connection may go: the addresses checked, and no others. */
  addresses: ResolvedAddress[];
}

/**
 * Checks that a URL may be called under the policy, resolving its name: the scheme, no credentials in it, not the
 * stage's own API, and EVERY address it resolves to public (or, when the policy allows, loopback for http). IP
 * literals in any notation (2130706433, 0177.0.0.1, 0x7f000001, [::ffff:127.0.0.1]) are read as the WHATWG URL
 * parser reads them, which is how every HTTP client reads them.
 *
 * Throws ForbiddenTargetError; a name that does not resolve is an OutboundRequestError (it may resolve later).
 */
export const checkTarget = async (raw: string, policy: OutboundPolicy, resolver: Resolver): Promise<CheckedTarget> => {
  if (raw.length > MAX_URL_LENGTH) throw new ForbiddenTargetError(`The URL is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenTargetError('Not an absolute URL.');
  }
  const isHttp = url.protocol === 'http:';
  if (url.protocol !== 'https:' && !(isHttp && policy.allowLoopbackHttp)) {
    throw new ForbiddenTargetError(policy.allowLoopbackHttp ? 'Only https:// URLs, or http:// to this machine.' : 'Only https:// URLs are allowed.');
  }
  if (url.username || url.password) throw new ForbiddenTargetError('A URL with a user name or password is not allowed.');
  if (isOwnApi(url, [], policy.ownOrigins)) throw new ForbiddenTargetError("The URL points to this stage's own API.");
  const hostname = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  let addresses: ResolvedAddress[];
  const family = isIP(hostname);
  if (family !== 0) {
    addresses = [{ address: hostname, family: family === 6 ? 6 : 4 }];
  } else if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    // RFC 6761: these names are loopback whatever a resolver says.
    addresses = [{ address: '127.0.0.1', family: 4 }];
  } else {
    try {
      addresses = await resolver(hostname);
    } catch (error) {
      throw new OutboundRequestError('network', 'The host name does not resolve.', { cause: error });
    }
    if (addresses.length === 0) throw new OutboundRequestError('network', 'The host name does not resolve.');
  }
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'public' && (!isHttp || !policy.allowLoopbackHttp)) continue;
    if (kind === 'loopback' && policy.allowLoopbackHttp) continue;
    if (kind === 'public') throw new ForbiddenTargetError('Plain http:// is allowed to this machine only; use https://.');
    throw new ForbiddenTargetError(`The URL ${family === 0 ? 'resolves to' : 'is'} ${REASONS[kind]}.`);
  }
  if (isOwnApi(url, addresses, policy.ownOrigins)) throw new ForbiddenTargetError("The URL points to this stage's own API.");
  return { url, hostname, addresses };
};

const flatHeaders = (res: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
};

/**
 * The guarded HTTP client (OutboundHttp) for webhook deliveries and connector calls. Each request checks its URL
 * (checkTarget) and then connects to one of the addresses it checked, through a lookup that answers only those:
 * a name that resolves to a public address for the check and to a private one a moment later (DNS rebinding)
 * still reaches the public one. The Host header and TLS's server name stay the URL's. Redirects are answered, not
 * followed; a body is read up to its cap; the whole request is bounded by its timeout.
 */
export class SafeHttp implements OutboundHttp {
  constructor(
    private readonly policy: OutboundPolicy,
    private readonly resolver: Resolver = systemResolver,
  ) {}

  /** Checks a URL without calling it (when an endpoint or a connector is added). */
  check(url: string): Promise<CheckedTarget> {
    return checkTarget(url, this.policy, this.resolver);
  }

  async request(request: OutboundRequest): Promise<OutboundResponse> {
    const target = await this.check(request.url);
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const cap = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const pinned: LookupFunction = (_hostname, options, callback) => {
      const [first] = target.addresses;
      if (options.all) callback(null, target.addresses);
      else callback(null, first?.address ?? '', first?.family ?? 4);
    };
    const isHttps = target.url.protocol === 'https:';
    const client = isHttps ? https : http;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));

    return new Promise<OutboundResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const req = client.request({
        method: request.method,
        hostname: target.hostname,
        port: target.url.port || undefined,
        path: `${target.url.pathname}${target.url.search}`,
        headers,
        lookup: pinned,
        // No shared pool: a kept-alive socket must never carry a request to another check's address.
        agent: false,
        ...(isHttps && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
      });
      const timer = setTimeout(() => {
        const error = new OutboundRequestError('timeout', `No complete answer within ${timeoutMs} ms.`);
        fail(error);
        req.destroy(error);
      }, timeoutMs);
      req.on('error', (error) => fail(error instanceof OutboundRequestError ? error : new OutboundRequestError('network', 'The request failed.', { cause: error })));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res), body: Buffer.concat(chunks).toString('utf8'), truncated });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = cap - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size = cap;
            truncated = true;
            finish();
            res.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', finish);
        res.on('error', (error) => fail(new OutboundRequestError('network', 'The answer was cut off.', { cause: error })));
      });
      req.end(request.body);
    });
  }
}
