import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { pagePolicy } from '../../core/shared/page-policy.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Links carry tokens: never leak them to another site through Referer.
  'referrer-policy': 'no-referrer',
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/**
 * An HTML page, under the policy its own markup calls for (see pagePolicy): its stylesheet and scripts by hash,
 * and forms that may go only to `formAction` (default `'self'`; redirects after a post count too).
 */
export const html = (
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
  scriptHashes: readonly string[] = [],
  formAction?: readonly string[],
): HttpResponse => ({
  statusCode,
  headers: {
    ...BASE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': pagePolicy(body, { scriptHashes, formAction }),
    ...headers,
  },
  body,
});

export const seeOther = (location: string): HttpResponse => ({
  statusCode: 303,
  headers: { ...BASE_HEADERS, location },
  body: '',
});

export const noContent = (): HttpResponse => ({ statusCode: 204, headers: { ...BASE_HEADERS }, body: '' });

/**
 * HEAD of a link whose GET redirects to something the GET creates (a Checkout Session, a Customer Portal session):
 * the link checked, nothing created, so 200 with GET's headers and nowhere to send the client.
 */
export const linkChecked = (): HttpResponse => ({ statusCode: 200, headers: { ...BASE_HEADERS }, body: '' });
