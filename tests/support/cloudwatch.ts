import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for CloudWatch's DescribeAlarms, as @aws-sdk/client-cloudwatch (3.11xx) calls it: the AWS JSON 1.0
// protocol in its query-compatible form (POST /, `content-type: application/x-amz-json-1.0`,
// `x-amz-target: GraniteServiceVersion20100801.DescribeAlarms`, `x-amzn-query-mode: true`; errors as
// `{ __type, message }` with the query protocol's code in `x-amzn-query-error`). As strict as CloudWatch where the
// smoke test could go wrong: a SigV4 signature for `monitoring` checked independently of the SDK's signer, at most
// 100 AlarmNames and MaxRecords 1–100 (default 50) a call, AlarmNames not with AlarmNamePrefix, metric alarms only
// unless AlarmTypes asks for composite ones, and NextToken pages that only continue the query that issued them.

const TARGET = 'GraniteServiceVersion20100801.DescribeAlarms';

/** An alarm the stand-in has. */
export interface StandInAlarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  type?: 'MetricAlarm' | 'CompositeAlarm';
}

/** A request as the stand-in received it, with the outcome of its signature check. */
export interface CloudWatchRequest {
  target: string | undefined;
  contentType: string | undefined;
  queryMode: string | undefined;
  body: Record<string, unknown>;
  signature: { service: string; region: string; valid: boolean };
  status: number;
}

export interface CloudWatchStandIn {
  /** The endpoint to give the SDK client. */
  url: string;
  requests: CloudWatchRequest[];
  /** At most this many alarms a page, whatever MaxRecords asks (CloudWatch may answer fewer, with a NextToken). */
  pageLimit: number;
  close(): Promise<void>;
}

/** SigV4 (AWS's documented algorithm) recomputed with node:crypto, independently of the SDK's signer. */
const checkSignature = (req: IncomingMessage, body: string, secretAccessKey: string) => {
  const authorization = String(req.headers.authorization ?? '');
  const [, scope = '', signedHeaders = '', given = ''] =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/([^,]+), SignedHeaders=([^,]+), Signature=(\w+)$/.exec(authorization) ?? [];
  const [date = '', region = '', service = ''] = scope.split('/');
  const hex = (data: string) => createHash('sha256').update(data).digest('hex');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const canonical = [req.method, path, query, canonicalHeaders, signedHeaders, hex(body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), scope, hex(canonical)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>(
    (k, part) => createHmac('sha256', k).update(part).digest(),
    Buffer.from(`AWS4${secretAccessKey}`),
  );
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return { service, region, valid: given !== '' && service === 'monitoring' && given === expected };
};

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) =>
  new Refusal(400, 'com.amazon.coral.validate#ValidationException', 'ValidationError', `1 validation error detected: ${message}`);

const stringList = (value: unknown, field: string): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new Refusal(400, 'SerializationException', 'SerializationException', `${field} is not a list of strings`);
  }
  return value as string[];
};

/** The page of alarms a DescribeAlarms body asks for, or a Refusal as CloudWatch would answer. */
const describe = (
  alarms: StandInAlarm[],
  body: Record<string, unknown>,
  issued: Map<string, { query: string; from: number }>,
  pageLimit: number,
) => {
  const names = stringList(body.AlarmNames, 'AlarmNames');
  const types = stringList(body.AlarmTypes, 'AlarmTypes');
  if (names && names.length > 100) {
    throw validation(`Value '[${names.join(', ')}]' at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`);
  }
  for (const name of names ?? []) {
    if (name.length < 1 || name.length > 255) {
      throw validation(`Value '${name}' at 'alarmNames.member' failed to satisfy constraint: Member must have length between 1 and 255`);
    }
  }
  for (const type of types ?? []) {
    if (type !== 'MetricAlarm' && type !== 'CompositeAlarm') {
      throw validation(`Value '${type}' at 'alarmTypes.member' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]`);
    }
  }
  if (names && body.AlarmNamePrefix !== undefined) {
    throw new Refusal(400, 'InvalidParameterCombinationException', 'InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together');
  }
  const max = body.MaxRecords ?? 50;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) {
    throw validation(`Value '${String(max)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`);
  }
  const { NextToken: token, MaxRecords: _max, ...rest } = body;
  const query = JSON.stringify(rest);
  let from = 0;
  if (token !== undefined) {
    const page = typeof token === 'string' ? issued.get(token) : undefined;
    if (!page || page.query !== query) throw new Refusal(400, 'InvalidNextToken', 'InvalidNextToken', 'The service returned an invalid NextToken.');
    from = page.from;
  }
  // Without AlarmTypes, CloudWatch answers metric alarms only.
  const wanted = new Set(types ?? ['MetricAlarm']);
  const matching = alarms.filter(
    (alarm) => wanted.has(alarm.type ?? 'MetricAlarm') && (!names || names.includes(alarm.name)),
  );
  const size = Math.min(max, pageLimit);
  const page = matching.slice(from, from + size);
  const answer: Record<string, unknown> = {};
  const described = (alarm: StandInAlarm) => ({
    AlarmName: alarm.name,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarm.name}`,
    StateValue: alarm.state,
    StateReason: 'stand-in',
    StateUpdatedTimestamp: 1_700_000_000.5,
    ActionsEnabled: true,
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:alarms'],
  });
  const metric = page.filter((alarm) => (alarm.type ?? 'MetricAlarm') === 'MetricAlarm');
  const composite = page.filter((alarm) => alarm.type === 'CompositeAlarm');
  answer.MetricAlarms = metric.map((alarm) => ({
    ...described(alarm),
    Namespace: 'AWS/ApiGateway',
    MetricName: '5xx',
    Dimensions: [{ Name: 'ApiId', Value: 'x' }],
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  }));
  if (wanted.has('CompositeAlarm')) answer.CompositeAlarms = composite.map((alarm) => ({ ...described(alarm), AlarmRule: 'ALARM("x")' }));
  if (from + size < matching.length) {
    const next = `token-${issued.size + 1}`;
    issued.set(next, { query, from: from + size });
    answer.NextToken = next;
  }
  return answer;
};

/** Starts the stand-in on a free local port, with these alarms, accepting requests signed with this secret key. */
export const startCloudWatchStandIn = async (alarms: StandInAlarm[], secretAccessKey: string): Promise<CloudWatchStandIn> => {
  const requests: CloudWatchRequest[] = [];
  const issued = new Map<string, { query: string; from: number }>();
  const reply = (res: ServerResponse, status: number, answer: unknown, queryError?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': `stand-in-${requests.length}`,
      ...(queryError ? { 'x-amzn-query-error': queryError } : {}),
    });
    res.end(JSON.stringify(answer));
  };
  const standIn = { pageLimit: 100 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = checkSignature(req, raw, secretAccessKey);
      const request: CloudWatchRequest = {
        target: req.headers['x-amz-target'] as string | undefined,
        contentType: req.headers['content-type'],
        queryMode: req.headers['x-amzn-query-mode'] as string | undefined,
        body: {},
        signature,
        status: 200,
      };
      requests.push(request);
      try {
        if (req.method !== 'POST' || req.url !== '/') throw new Refusal(404, 'UnknownOperationException', 'UnknownOperation', 'Unknown operation');
        if (!signature.valid) {
          throw new Refusal(403, 'com.amazon.coral.service#IncompleteSignatureException', 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
        }
        if (request.contentType !== 'application/x-amz-json-1.0' || request.target !== TARGET) {
          throw new Refusal(400, 'UnknownOperationException', 'UnknownOperation', `Unknown operation ${request.target ?? '(no x-amz-target)'}`);
        }
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          throw new Refusal(400, 'SerializationException', 'SerializationException', 'Malformed JSON body');
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Refusal(400, 'SerializationException', 'SerializationException', 'Body is not an object');
        request.body = body as Record<string, unknown>;
        reply(res, 200, describe(alarms, request.body, issued, standIn.pageLimit));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        request.status = error.status;
        reply(res, error.status, { __type: error.type, message: error.message }, `${error.queryCode};Sender`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
};
