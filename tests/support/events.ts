import type { APIGatewayProxyEventV2, SNSEvent, SQSEvent } from 'aws-lambda';
import { matchRoute, routeKey } from '../../functions/platform/routes.js';

export interface HttpEventInput {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  sourceIp?: string;
}

/** An API Gateway HTTP API (payload 2.0) event, with the route key and path parameters API Gateway would set. */
export const httpEvent = (input: HttpEventInput): APIGatewayProxyEventV2 => {
  const method = input.method.toUpperCase();
  const { match } = matchRoute(method, input.path);
  const key = match ? routeKey(match.route) : '$default';
  const body = input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  return {
    version: '2.0',
    routeKey: key,
    rawPath: input.path,
    rawQueryString: input.query ?? '',
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      'user-agent': 'vitest',
      ...input.headers,
    },
    pathParameters: match && Object.keys(match.pathParameters).length ? match.pathParameters : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.org',
      domainPrefix: 'api',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: input.sourceIp ?? '198.51.100.7', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: key,
      stage: '$default',
      time: '25/Nov/2026:10:00:00 +0000',
      timeEpoch: Date.parse('2026-11-25T10:00:00Z'),
    },
    body,
    isBase64Encoded: false,
  };
};

/** The JSON body of a handler's answer. */
export const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '') as Record<string, unknown>;

/** An SQS batch with one record per body (JSON-encoded unless a string). */
export const sqsEvent = (bodies: unknown[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `msg-${i + 1}`,
    receiptHandle: `rh-${i + 1}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'sender',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:mail',
    awsRegion: 'eu-west-1',
  })),
});

/** An SNS delivery with one record per message (JSON-encoded). */
export const snsEvent = (messages: unknown[]): SNSEvent => ({
  Records: messages.map((message, i) => ({
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:ses-events:sub',
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: '2026-11-25T10:00:00.000Z',
      Signature: '',
      SigningCertUrl: '',
      MessageId: `sns-${i + 1}`,
      Message: JSON.stringify(message),
      MessageAttributes: {},
      Type: 'Notification',
      UnsubscribeUrl: '',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-events',
      Subject: '',
    },
  })),
});
