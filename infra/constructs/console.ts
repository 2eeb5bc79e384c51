import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConsoleConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { AppFunction } from './app-function.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

export interface EditorConsoleProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  subscribersTable: ITable;
  auditTable: ITable;
  /** The mail queue: sign-in links leave through the mail worker, like every email. */
  mailQueue: IQueue;
}

/**
 * The console: the editors' pages under /admin on the API's own origin, their sign-in (links by email, passkeys),
 * sessions and roles, and the audit log. It reads and writes the console's own kinds of item, lists and revokes
 * admin tokens, and may only append to and read the audit log.
 */
export class EditorConsole extends Feature {
  readonly functions: { console: AppFunction };

  constructor(scope: Construct, id: string, props: EditorConsoleProps) {
    super(scope, id);
    const { config, site } = props;
    const fn = new AppFunction(this, 'ConsoleFunction', {
      entry: 'console',
      secretsExtension: true,
      description: 'Console: the editors\' pages, their sign-in and sessions, the audit log',
      config: ConsoleConfig,
      environment: (bind) => ({
        ...site,
        // Editors (read; "sign out everywhere" counts up their generation; added, changed and removed by admins),
        // sessions (made at sign-in, read on every page, deleted at sign-out), the single-use nonces of links and
        // passkey challenges, passkeys (added, read, their counter moved on, removed), the sign-in rate windows,
        // and admin tokens (checked for the audit API, listed, revoked). Lists come from the index.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['EDITOR#', 'SESSION#', 'PASSKEY#', 'TOKEN#'],
            'dynamodb:PutItem': ['SESSION#', 'NONCE#', 'PASSKEY#'],
            'dynamodb:UpdateItem': ['EDITOR#', 'PASSKEY#', 'RATE#', 'TOKEN#'],
            'dynamodb:DeleteItem': ['EDITOR#', 'SESSION#', 'PASSKEY#', 'TOKEN#'],
          },
          query: ['gsi1'],
        }),
        // Append and read only: no function may change or delete an audit entry.
        AUDIT_TABLE_NAME: bind.table(props.auditTable, { items: { 'dynamodb:PutItem': ['AUDIT'] }, queryTable: true }),
        AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(props.mailQueue),
        SIGNING_SECRET_ID: bind.secret(props.signingSecret),
        // Every deployed stage is served over HTTPS only.
        SESSION_COOKIE_SECURE: 'true',
        CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: undefined,
        CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR: undefined,
      }),
    });
    this.functions = { console: fn };
  }
}
