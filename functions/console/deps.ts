import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { DynamoAuditLog } from '../adapters/dynamo-audit.js';
import { DynamoEditors, DynamoNonceLedger, DynamoPasskeys, DynamoSessions } from '../adapters/dynamo-console.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { relyingParty } from '../core/console/passkeys.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import type { ConsoleConfig } from './config.js';

/** The console's dependencies: the subscribers table (editors, sessions, passkeys, tokens), the audit table, the mail queue. */
export const buildConsole = async (config: ConsoleConfig, clients: ClientOptions, secrets: SecretSource) => {
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const deps = {
    clock: systemClock,
    keys: deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID)),
    editors: new DynamoEditors(dynamo, table),
    sessions: new DynamoSessions(dynamo, table),
    nonces: new DynamoNonceLedger(dynamo, table),
    passkeys: new DynamoPasskeys(dynamo, table),
    tokens: new DynamoAdminTokens(dynamo, table),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
    audit: new DynamoAuditLog(dynamo, config.AUDIT_TABLE_NAME, config.AUDIT_RETENTION_DAYS),
    queue: new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL),
    rp: relyingParty(config.PUBLIC_API_URL, config.SITE_NAME),
    limits: {
      client: { name: 'console-signin-client', limit: config.CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR, windowSeconds: 3600 },
      address: { name: 'console-signin-address', limit: config.CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR, windowSeconds: 3600 },
    },
  };
  return { deps, options: { brand: brandOf(config), apiBaseUrl: config.PUBLIC_API_URL, secureCookie: config.SESSION_COOKIE_SECURE } };
};
