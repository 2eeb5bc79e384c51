import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ConsoleConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { acceptWildcards, wildcard } from '../nag.js';
import { AppFunction } from './app-function.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

export interface EditorConsoleProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  subscribersTable: ITable;
  /** Campaigns (read, created, changed), the gifts of a data request, the gifts' day counters. */
  donationsTable: ITable;
  auditTable: ITable;
  /** Download links to finished exports. */
  exportBucket: IBucket;
  /** Started for each export, as the admin API starts it. */
  exportWorker: IFunction;
  /** The mail queue: sign-in links leave through the mail worker, like every email. */
  mailQueue: IQueue;
  /** The webhook delivery queue: a delivery retried or replayed from the console is queued there. */
  webhookQueue: IQueue;
}

/**
 * The console: the editors' pages under /admin on the API's own origin, their sign-in (links by email, passkeys),
 * sessions and roles, and the audit log. It reads and writes the console's own kinds of item, lists and revokes
 * admin tokens, and may only append to and read the audit log. With the admin API's grants for the same work, it
 * reads the dashboard's counters, edits campaigns, starts exports and hands out their links, and answers data
 * requests.
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
        // and admin tokens (checked for the audit API, listed, revoked). As the admin API: data requests (show; erase
        // to a marker, out of the counts), export jobs, the counts (an export's list filter) and the dashboard's day
        // counters. Lists (editors, sessions, passkeys, tokens, past exports) come from the index. As the webhooks API:
        // endpoints (added, rotated, enabled, removed), their deliveries (listed, sent again) and connectors (added,
        // removed, a backfill started on their item), listed on the index.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['EDITOR#', 'SESSION#', 'PASSKEY#', 'TOKEN#', 'SUB#', 'SUPPRESS#', 'EXPORT#', 'WEBHOOK#', 'WHDELIVERY#', 'CONNECTOR#'],
            'dynamodb:PutItem': ['SESSION#', 'NONCE#', 'PASSKEY#', 'SUPPRESS#', 'EXPORT#', 'WEBHOOK#', 'CONNECTOR#'],
            // EXPORT#: an export whose worker died is marked failed when it is read past its deadline.
            'dynamodb:UpdateItem': ['EDITOR#', 'PASSKEY#', 'RATE#', 'TOKEN#', 'COUNTS#SUBSCRIBERS#', 'EXPORT#', 'WEBHOOK#', 'WHDELIVERY#', 'CONNECTOR#'],
            'dynamodb:DeleteItem': ['EDITOR#', 'SESSION#', 'PASSKEY#', 'TOKEN#', 'SUB#', 'WEBHOOK#', 'CONNECTOR#'],
            'dynamodb:BatchGetItem': ['COUNTS#SUBSCRIBERS#', 'DAY#'],
          },
          query: ['gsi1'],
        }),
        // Campaigns (read with their totals, created and changed: never their totals), the donor markers and gifts of
        // a data request, and the gifts' day counters and running count of monthly gifts. An experiment's page: its
        // variants (read; written back when an editor ends it or changes its allocation), the views and clicks and
        // the gifts per variant, day by day.
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, {
          items: {
            'dynamodb:GetItem': ['CAMPAIGN#', 'VARIANTS#'],
            'dynamodb:PutItem': ['VARIANTS#'],
            'dynamodb:UpdateItem': ['CAMPAIGN#'],
            'dynamodb:BatchGetItem': ['CAMPAIGN#', 'TOTALS#', 'DONOR#', 'DAY#', 'COUNTS#MONTHLY#', 'EVENTS#', 'RESULTS#'],
          },
          query: ['gsi1'],
        }),
        // A download link is a GetObject presigned with the function's credentials.
        EXPORT_BUCKET_NAME: bind.objects(props.exportBucket, 'exports/', ['s3:GetObject']),
        EXPORT_WORKER_FUNCTION_NAME: bind.invoker(props.exportWorker),
        COUNTER_SHARDS: undefined,
        EVENT_COUNTER_SHARDS: undefined,
        LIST_IDS: config.lists.join(','),
        CURRENCIES: config.currencies.join(','),
        // Append and read only: no function may change or delete an audit entry.
        AUDIT_TABLE_NAME: bind.table(props.auditTable, { items: { 'dynamodb:PutItem': ['AUDIT'] }, queryTable: true }),
        AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(props.mailQueue),
        SIGNING_SECRET_ID: bind.secret(props.signingSecret),
        // Every deployed stage is served over HTTPS only.
        SESSION_COOKIE_SECURE: 'true',
        CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: undefined,
        CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR: undefined,
        WEBHOOK_QUEUE_URL: bind.queueSender(props.webhookQueue),
        OUTBOUND_LOOPBACK_HTTP: undefined,
      }),
    });
    this.functions = { console: fn };
    acceptWildcards(fn, [wildcard.objectsUnder(props.exportBucket, 'exports/', 'a download link may name any export file, and only an export file.')]);
  }
}
