import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalQueue } from './queue.js';

export interface AwsEndpointState {
  /** Queue URL → queue. */
  queues: Map<string, LocalQueue>;
  /** Secret id (name or ARN) → secret string. */
  secrets: Map<string, string>;
  /** Lambda function name → asynchronous invocation (InvocationType Event). */
  functions: Map<string, (payload: unknown) => Promise<unknown>>;
  /** SES API calls are passed to this stand-in (aws-ses-v2-local), which stores the mail. */
  sesUrl: string;
  /**
   * Called when SES accepted a POST (a send, among others), before the caller gets its answer: the mail SES
   * stored must be kept by then, as real SES keeps it (a caller that got its answer will not send again).
   */
  onMailAccepted?: () => void;
  /** Called after SES accepted a message, with its recipients (SES's own notifications start there). */
  onMailSent?: (recipients: string[], messageId: string) => void;
  /** While true, SES answers 503 as a throttled or failing SES would (for outage tests). */
  sesOutage?: boolean;
  /**
   * The token the Parameters and Secrets extension stand-in (`GET /secretsmanager/get`) expects in
   * `X-Aws-Parameters-Secrets-Token`, as the real extension expects the function's AWS_SESSION_TOKEN.
   * Unset: any non-empty token (the header is still required).
   */
  secretsExtensionToken?: string;
}

/**
 * The AWS Parameters and Secrets Lambda Extension's secrets route, served from `state.secrets`: the token header
 * is required (and must match when one is configured), the answer is GetSecretValue's JSON.
 */
const serveSecretsExtension = (state: AwsEndpointState, req: IncomingMessage, res: ServerResponse) => {
  const token = req.headers['x-aws-parameters-secrets-token'];
  if (typeof token !== 'string' || !token || (state.secretsExtensionToken !== undefined && token !== state.secretsExtensionToken)) {
    return send(res, 401, { message: 'missing or invalid X-Aws-Parameters-Secrets-Token' }, 'application/json');
  }
  const id = new URL(req.url ?? '', 'http://localhost').searchParams.get('secretId');
  if (!id) return send(res, 400, { message: 'secretId is required' }, 'application/json');
  const secret = state.secrets.get(id);
  if (secret === undefined) {
    return send(res, 404, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }, 'application/json');
  }
  return send(res, 200, { ARN: id, Name: id, SecretString: secret, VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: 0 }, 'application/json');
};

/** Passes an SESv2 call to aws-ses-v2-local and reports the recipients of a message it accepted. */
const proxySes = async (state: AwsEndpointState, req: IncomingMessage, body: string, res: ServerResponse) => {
  if (state.sesOutage) return awsError(res, 503, 'ServiceUnavailable', 'Service Unavailable');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
  }
  const response = await fetch(`${state.sesUrl}${req.url}`, { method: req.method, headers, body: body || undefined });
  const text = await response.text();
  if (response.ok && req.method === 'POST') state.onMailAccepted?.();
  res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
  res.end(text);
  if (response.ok && req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails')) {
    const sent = JSON.parse(body) as { Destination?: { ToAddresses?: string[] } };
    const { MessageId } = JSON.parse(text) as { MessageId?: string };
    state.onMailSent?.(sent.Destination?.ToAddresses ?? [], MessageId ?? 'unknown');
  }
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (res: ServerResponse, status: number, body: unknown, type = 'application/x-amz-json-1.0') => {
  res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID() });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

const awsError = (res: ServerResponse, status: number, type: string, message: string) =>
  send(res, status, { __type: type, message });

/**
 * The few AWS APIs that have no npm stand-in, served on one local endpoint with the services' own wire
 * protocols, so that the production adapters reach them through the real SDK clients:
 * SQS (JSON protocol) for the mail queue, Secrets Manager for the signing secret (its API, and the Parameters
 * and Secrets Lambda Extension's `GET /secretsmanager/get` for a SecretsExtensionSource), Lambda's asynchronous
 * Invoke for background workers, and SESv2 in front of aws-ses-v2-local (which stores the mail), so that mail to
 * SES's mailbox simulator produces the notifications real SES would.
 */
export const startAwsEndpoint = async (state: AwsEndpointState): Promise<{ server: Server; url: string }> => {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.url?.startsWith('/v2/email/')) return proxySes(state, req, body, res);
      if (req.method === 'GET' && req.url?.startsWith('/secretsmanager/get')) return serveSecretsExtension(state, req, res);
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      if (invoke) {
        const fn = state.functions.get(decodeURIComponent(invoke[1] ?? ''));
        if (!fn) return send(res, 404, { Type: 'User', message: 'Function not found' }, 'application/json');
        setImmediate(() => void fn(input).catch(() => undefined)); // Event invocation: answer now, run after
        return send(res, 202, undefined, 'application/json');
      }
      switch (target) {
        case 'AmazonSQS.SendMessage': {
          const queue = state.queues.get(String(input.QueueUrl));
          if (!queue) return awsError(res, 400, 'com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
          const { messageId, md5 } = queue.send(String(input.MessageBody), Number(input.DelaySeconds ?? 0));
          return send(res, 200, { MessageId: messageId, MD5OfMessageBody: md5 });
        }
        case 'AmazonSQS.SendMessageBatch': {
          const queue = state.queues.get(String(input.QueueUrl));
          if (!queue) return awsError(res, 400, 'com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
          const entries = (input.Entries ?? []) as { Id: string; MessageBody: string; DelaySeconds?: number }[];
          const Successful = entries.map((entry) => {
            const { messageId, md5 } = queue.send(entry.MessageBody, entry.DelaySeconds ?? 0);
            return { Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5 };
          });
          return send(res, 200, { Successful, Failed: [] });
        }
        case 'secretsmanager.GetSecretValue': {
          const id = String(input.SecretId);
          const secret = state.secrets.get(id);
          if (secret === undefined) {
            return awsError(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
          }
          return send(res, 200, { ARN: id, Name: id, SecretString: secret, VersionId: 'local', CreatedDate: 0 });
        }
        default:
          return awsError(res, 400, 'UnknownOperationException', `The local AWS endpoint does not serve ${target}`);
      }
    })().catch(() => awsError(res, 500, 'InternalFailure', 'local endpoint failure'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};
