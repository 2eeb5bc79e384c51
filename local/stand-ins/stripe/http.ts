import type { IncomingMessage, ServerResponse } from 'node:http';
import { newId } from './state.js';

export const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers });
  res.end(JSON.stringify(body));
};

/** Stripe's error body: `{"error": {"type", "message", "param"?}}`. */
export const errorBody = (message: string, param?: string) => ({
  error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) },
});

export const stripeError = (res: ServerResponse, status: number, message: string, param?: string) =>
  sendJson(res, status, errorBody(message, param));

/**
 * Stripe's answer when a request names an object it does not have (or no longer lets anyone act on, such as a
 * canceled subscription): `resource_missing`, naming the parameter; 404 for the object of the path, 400 for one
 * named in the body.
 */
export const resourceMissing = (kind: string, id: string, param: string) => ({
  error: {
    code: 'resource_missing',
    doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    message: `No such ${kind}: '${id}'`,
    param,
    type: 'invalid_request_error',
  },
});
