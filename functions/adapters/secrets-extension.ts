import { request } from 'node:http';
import type { SecretSource } from './secret-values.js';

export interface SecretsExtensionOptions {
  /** The value of the `X-Aws-Parameters-Secrets-Token` header: the function's `AWS_SESSION_TOKEN` in Lambda. */
  token: string;
  /** Where the extension listens: `http://localhost:2773` in Lambda (its port from the environment); a stand-in's URL. */
  baseUrl: string;
  /** How long to keep asking while the extension starts (connection refused, 400 "not ready"); default 2,000 ms. */
  startupRetryMs?: number;
  /** The time one request may take (the extension may call Secrets Manager first); default 5,000 ms. */
  requestTimeoutMs?: number;
}

/** An error type the extension passes on from Secrets Manager (`AccessDeniedException`, ...): never a value. */
const errorType = (body: string) => /\b[A-Z][A-Za-z]+(?:Exception|Error)\b/.exec(body)?.[0];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One GET through node:http, which every function has loaded already (the SDK's HTTP handler uses it). Not the
 * global fetch: its first call loads undici, measured at 38 ms of a cold start (Node 20; http.get: 7 ms). Its
 * deadline is a plain timer, not `AbortSignal.timeout`, whose first use loads Node's AbortSignal and EventTarget
 * (about 1.5 ms of every cold start, `npm run bench:bundles`).
 */
const get = (url: string, headers: Record<string, string>, timeoutMs: number) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    function fail(error: Error) {
      clearTimeout(deadline);
      reject(error);
    }
    const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'ABORT_ERR' })), timeoutMs);
    req.on('error', fail);
    req.end();
  });

/**
 * Secrets through the AWS Parameters and Secrets Lambda Extension: a GET on localhost, answered from the
 * extension's cache, with no SDK client in the bundle and no Secrets Manager call at most cold starts.
 * While the extension starts (the first milliseconds of a cold start) it refuses connections or answers 400
 * "not ready": those are retried briefly. Every other failure is an error naming the secret id, never its value.
 */
export class SecretsExtensionSource implements SecretSource {
  private readonly early = new Map<string, Promise<string | undefined>>();

  constructor(private readonly options: SecretsExtensionOptions) {}

  /**
   * Asks for these secrets now, before the function's code has loaded: the request (the name lookup, the
   * connection, the extension's answer) then runs while that code is read and evaluated, instead of after. The
   * next `getSecretString` of each id takes its answer (or its error); ids left undefined are skipped.
   */
  prefetch(...secretIds: (string | undefined)[]): this {
    for (const id of secretIds) {
      if (!id || this.early.has(id)) continue;
      const answer = this.read(id);
      answer.catch(() => {}); // its error reaches whoever asks for the secret, not the process
      this.early.set(id, answer);
    }
    return this;
  }

  /** The extension as Lambda runs it: its port from `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` (default 2773), the session token. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SecretsExtensionSource {
    const token = env.AWS_SESSION_TOKEN;
    if (!token) throw new Error('AWS_SESSION_TOKEN is not set: the Parameters and Secrets extension needs it');
    return new SecretsExtensionSource({ token, baseUrl: `http://localhost:${env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || 2773}` });
  }

  getSecretString(secretId: string): Promise<string | undefined> {
    const early = this.early.get(secretId);
    if (!early) return this.read(secretId);
    this.early.delete(secretId); // once: a later read (after a rotation) asks the extension again
    return early;
  }

  private async read(secretId: string): Promise<string | undefined> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
    const fail = (reason: string) => new Error(`secret ${secretId} could not be read from the secrets extension: ${reason}`);
    const { startupRetryMs = 2000, requestTimeoutMs = 5000 } = this.options;
    const deadline = Date.now() + startupRetryMs;
    for (let attempt = 0; ; attempt++) {
      let response: { status: number; body: string };
      try {
        response = await get(url, { 'X-Aws-Parameters-Secrets-Token': this.options.token }, requestTimeoutMs);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const starting = code === 'ECONNREFUSED' || code === 'ECONNRESET';
        if (starting && Date.now() < deadline) {
          await sleep(Math.min(5 * 2 ** attempt, 100));
          continue;
        }
        throw fail(code === 'ABORT_ERR' ? `no answer in ${requestTimeoutMs} ms` : (code ?? (error as Error).name));
      }
      const { status, body } = response;
      if (status === 400 && /not ready/i.test(body) && Date.now() < deadline) {
        await sleep(Math.min(5 * 2 ** attempt, 100));
        continue;
      }
      if (status < 200 || status > 299) {
        // The body is an error message, but it is not quoted whole: only a recognizable error type is.
        const type = errorType(body);
        throw fail(`HTTP ${status}${type ? ` ${type}` : ''}`);
      }
      let answer: unknown;
      try {
        answer = JSON.parse(body);
      } catch {
        throw fail('the answer is not JSON'); // JSON.parse quotes the text in its message: never let the secret reach a log
      }
      const secretString = (answer as { SecretString?: unknown } | null)?.SecretString;
      return typeof secretString === 'string' ? secretString : undefined;
    }
  }
}
