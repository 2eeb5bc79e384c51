import { DynamoAdminTokens } from '../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../functions/core/admin/admin.js';
import type { Target } from './target.js';

/** An admin API answer that was not 2xx: the status and the contract's error body, for a caller that waits on a 404. */
export class AdminApiError extends Error {
  override name = 'AdminApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long a temporary token works. A run that is killed (a closed laptop, Ctrl-C twice, an out-of-memory killer)
 * cannot revoke its token: it stops working after this, and DynamoDB deletes it some time later. An hour covers
 * the longest run: an export's worker stops at 15 minutes, and a person may take a while to answer an erase prompt.
 */
export const TEMPORARY_TOKEN_SECONDS = 60 * 60;

/** A client of the admin API with a bearer token: the one given, or a temporary one the CLI mints and revokes. */
export const adminApi = async (target: Target, token: string | undefined) => {
  if (!target.apiUrl) throw new Error('the dev server is not running: start it with `npm start` (exports run inside it)');
  const tokens = new DynamoAdminTokens(target.dynamo, target.tables.subscribers);
  const temporary = token
    ? undefined
    : await createAdminToken({ tokens, clock: { now: () => new Date() } }, `admin-cli temporary ${process.pid}`, { expiresInSeconds: TEMPORARY_TOKEN_SECONDS });
  const bearer = token ?? temporary?.token;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${target.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const error = parsed.error as { message?: string; field?: string } | undefined;
      throw new AdminApiError(response.status, `${response.status} ${error?.message ?? response.statusText}${error?.field ? ` (${error.field})` : ''}`);
    }
    return parsed;
  };
  return {
    call,
    close: async () => {
      if (temporary) await tokens.revoke({ id: temporary.record.id });
    },
  };
};
