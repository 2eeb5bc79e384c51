import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsExtensionSource } from '../../../functions/adapters/secrets-extension.js';
import { loadSigningKey } from '../../../functions/adapters/secret-values.js';
import { startAwsEndpoint } from '../../../local/stand-ins/aws-endpoint.js';

const SECRET_VALUE = JSON.stringify({ signingKey: 'k'.repeat(40) });
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:appeal/signing key+1?&=x';

let server: Server | undefined;

/** A stand-in for the extension: records each request and answers with `answer`. */
const serve = async (answer: (req: IncomingMessage, res: ServerResponse, count: number) => void) => {
  const seen: IncomingMessage[] = [];
  server = createServer((req, res) => {
    seen.push(req);
    answer(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { seen, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

const secretAnswer = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ARN: SECRET_ID, Name: 'appeal/signing key+1?&=x', SecretString: SECRET_VALUE, VersionId: 'v1' }));
};

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('SecretsExtensionSource', () => {
  it('sends the session token and the encoded secret id, and returns SecretString', async () => {
    const { seen, baseUrl } = await serve((_req, res) => secretAnswer(res));
    const source = new SecretsExtensionSource({ baseUrl, token: 'session-token' });
    expect(await source.getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('GET');
    expect(req?.headers['x-aws-parameters-secrets-token']).toBe('session-token');
    const url = new URL(req?.url ?? '', baseUrl);
    expect(url.pathname).toBe('/secretsmanager/get');
    expect([...url.searchParams.keys()]).toEqual(['secretId']);
    expect(url.searchParams.get('secretId')).toBe(SECRET_ID);
  });

  it('feeds the JSON secret loaders like the Secrets Manager source', async () => {
    const { baseUrl } = await serve((_req, res) => secretAnswer(res));
    expect(await loadSigningKey(new SecretsExtensionSource({ baseUrl, token: 't' }), SECRET_ID)).toBe('k'.repeat(40));
  });

  it('asks for prefetched secrets at once, and answers the next read of each from that request only once', async () => {
    const { seen, baseUrl } = await serve((_req, res) => secretAnswer(res));
    const source = new SecretsExtensionSource({ baseUrl, token: 't' }).prefetch(SECRET_ID, undefined, 'other');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((req) => new URL(req.url ?? '', baseUrl).searchParams.get('secretId'))).toEqual([SECRET_ID, 'other']);
    expect(await source.getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    expect(seen).toHaveLength(2); // answered by the prefetch
    expect(await source.getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    expect(seen).toHaveLength(3); // a later read asks again (a rotated secret is seen)
  });

  it('keeps a failed prefetch for whoever reads that secret, without an unhandled rejection', async () => {
    const { baseUrl } = await serve((_req, res) => {
      res.writeHead(403);
      res.end('{"__type":"AccessDeniedException"}');
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const source = new SecretsExtensionSource({ baseUrl, token: 't' }).prefetch(SECRET_ID);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
      await expect(source.getSecretString(SECRET_ID)).rejects.toThrow(/HTTP 403 AccessDeniedException/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('retries while the extension answers 400 "not ready"', async () => {
    const { seen, baseUrl } = await serve((_req, res, count) => {
      if (count < 3) {
        res.writeHead(400);
        res.end('not ready to serve traffic, please wait');
      } else secretAnswer(res);
    });
    expect(await new SecretsExtensionSource({ baseUrl, token: 't' }).getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    expect(seen).toHaveLength(3);
  });

  it('retries while the extension refuses connections, then reads the secret once it listens', async () => {
    // Find a free port, leave it closed for a moment, then start listening on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const pending = new SecretsExtensionSource({ baseUrl: `http://127.0.0.1:${port}`, token: 't' }).getSecretString(SECRET_ID);
    await new Promise((resolve) => setTimeout(resolve, 50));
    server = createServer((_req, res) => secretAnswer(res));
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    expect(await pending).toBe(SECRET_VALUE);
  });

  it('gives up on an extension that never gets ready, naming the secret', async () => {
    const { baseUrl } = await serve((_req, res) => {
      res.writeHead(400);
      res.end('not ready to serve traffic, please wait');
    });
    const source = new SecretsExtensionSource({ baseUrl, token: 't', startupRetryMs: 100 });
    await expect(source.getSecretString('appeal/signing')).rejects.toThrow(/secret appeal\/signing .*HTTP 400/);
  });

  it.each([
    [403, '{"__type":"AccessDeniedException","message":"not authorized"}', /secret appeal\/signing .*HTTP 403 AccessDeniedException/],
    [404, 'ResourceNotFoundException: Secrets Manager cannot find the specified secret', /secret appeal\/signing .*HTTP 404 ResourceNotFoundException/],
    [401, 'Unauthorized', /secret appeal\/signing .*HTTP 401$/],
  ])('turns HTTP %i into an error naming the secret id, not quoting the answer', async (status, body, message) => {
    const { seen, baseUrl } = await serve((_req, res) => {
      res.writeHead(status);
      res.end(body);
    });
    const error = await new SecretsExtensionSource({ baseUrl, token: 't' }).getSecretString('appeal/signing').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('not authorized');
    expect(seen).toHaveLength(1); // no retry for a real refusal
  });

  it('gives up on an extension that does not answer in time', async () => {
    const { baseUrl } = await serve(() => undefined); // never answers
    const source = new SecretsExtensionSource({ baseUrl, token: 't', requestTimeoutMs: 50 });
    await expect(source.getSecretString('appeal/signing')).rejects.toThrow(/secret appeal\/signing .*no answer in 50 ms/);
    server?.closeAllConnections();
  });

  it('gives up on an extension that starts its answer and stalls, with the same words and no retry', async () => {
    const { seen, baseUrl } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"SecretString": "'); // and nothing more
    });
    const source = new SecretsExtensionSource({ baseUrl, token: 't', requestTimeoutMs: 50 });
    await expect(source.getSecretString('appeal/signing')).rejects.toThrow(/secret appeal\/signing .*no answer in 50 ms/);
    expect(seen).toHaveLength(1);
    server?.closeAllConnections();
  });

  it('never quotes the answer when it is not JSON (it may be the secret itself)', async () => {
    const { baseUrl } = await serve((_req, res) => {
      res.writeHead(200);
      res.end(`{${SECRET_VALUE}`);
    });
    const error = await new SecretsExtensionSource({ baseUrl, token: 't' }).getSecretString('appeal/signing').catch((e: Error) => e);
    expect((error as Error).message).toMatch(/secret appeal\/signing .*not JSON/);
    expect((error as Error).message).not.toContain('kkkk');
  });

  it('returns undefined for a binary secret (no SecretString)', async () => {
    const { baseUrl } = await serve((_req, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ Name: 'x', SecretBinary: 'AAAA' }));
    });
    expect(await new SecretsExtensionSource({ baseUrl, token: 't' }).getSecretString('x')).toBeUndefined();
  });

  it('reads its port and token from the Lambda environment', async () => {
    const { seen, baseUrl } = await serve((_req, res) => secretAnswer(res));
    const port = new URL(baseUrl).port;
    const source = SecretsExtensionSource.fromEnvironment({ AWS_SESSION_TOKEN: 'from-env', PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: port });
    expect(await source.getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    expect(seen[0]?.headers['x-aws-parameters-secrets-token']).toBe('from-env');
    expect(() => SecretsExtensionSource.fromEnvironment({})).toThrow(/AWS_SESSION_TOKEN/);
  });
});

describe("the local endpoint's stand-in for the extension", () => {
  it('serves state.secrets on GET /secretsmanager/get, for the session token only', async () => {
    const endpoint = await startAwsEndpoint({
      queues: new Map(),
      secrets: new Map([[SECRET_ID, SECRET_VALUE]]),
      functions: new Map(),
      sesUrl: 'http://127.0.0.1:9',
      secretsExtensionToken: 'local-session',
    });
    server = endpoint.server;
    const source = new SecretsExtensionSource({ baseUrl: endpoint.url, token: 'local-session' });
    expect(await source.getSecretString(SECRET_ID)).toBe(SECRET_VALUE);
    await expect(source.getSecretString('appeal/missing')).rejects.toThrow(/secret appeal\/missing .*HTTP 404 ResourceNotFoundException/);
    await expect(new SecretsExtensionSource({ baseUrl: endpoint.url, token: 'other' }).getSecretString(SECRET_ID)).rejects.toThrow(/HTTP 401/);
    const noToken = await fetch(`${endpoint.url}/secretsmanager/get?secretId=${encodeURIComponent(SECRET_ID)}`);
    expect(noToken.status).toBe(401);
    expect(await noToken.text()).not.toContain('kkkk');
  });
});
