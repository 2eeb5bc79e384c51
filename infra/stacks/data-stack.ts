import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CfnRecordSet } from 'aws-cdk-lib/aws-route53';
import { ConfigurationSet, DkimIdentity, EasyDkimSigningKeyLength, EmailIdentity, EmailSendingEvent, EventDestination, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { NagSuppressions } from 'cdk-nag';
import type { StageConfig } from '../config.js';
import { type DnsRecord, hostedZoneOf, outputRecords, recordLine, zoneFor } from '../constructs/dns.js';
import { type TableDesign, TABLES } from '../tables.js';

/** A table from our shared key design, with the protections every table holding readers' data gets. */
const protectedTable = (scope: Construct, id: string, design: TableDesign) => {
  const table = new Table(scope, id, {
    partitionKey: { name: design.partitionKey, type: AttributeType.STRING },
    sortKey: { name: design.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    encryption: TableEncryption.AWS_MANAGED,
    timeToLiveAttribute: design.timeToLive,
    // Every change, with the item before and after: the webhook events producer derives the newsroom's events from
    // them, outside the write paths. Turning a stream on updates the table in place (its logical id, data and
    // settings stay).
    stream: design.stream === undefined ? undefined : StreamViewType[design.stream],
  });
  for (const index of design.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
};

/** Everything stateful: kept (RETAIN) when the stack goes, so readers' data never leaves with a deploy. */
export class DataStack extends Stack {
  readonly subscribersTable: Table;
  readonly donationsTable: Table;
  /** The audit log, in a table of its own: functions may only put and query its items (no update, no delete). */
  readonly auditTable: Table;
  readonly configurationSet: ConfigurationSet;
  readonly emailIdentity: EmailIdentity;
  readonly exportBucket: Bucket;
  readonly sesEventsTopic: Topic;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    this.subscribersTable = protectedTable(this, 'SubscribersTable', TABLES.subscribers);
    this.donationsTable = protectedTable(this, 'DonationsTable', TABLES.donations);
    this.auditTable = protectedTable(this, 'AuditTable', TABLES.audit);

    this.configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      // SES's account-level suppression list as a second net under our own bounced/complained status.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // Bounce and complaint rates of this configuration set's mail, for the alarms in the API stack.
      reputationMetrics: true,
    });
    // Bounces and complaints, published by the configuration set; the API stack's ses-events function listens.
    this.sesEventsTopic = new Topic(this, 'SesEventsTopic', { enforceSSL: true });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.sesEventsTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // CSV exports: private, encrypted, TLS only, gone after 7 days (links to them last 15 minutes).
    this.exportBucket = new Bucket(this, 'ExportBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    NagSuppressions.addResourceSuppressions(this.exportBucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'Exports live 7 days and are read only through 15-minute links that the admin API signs and logs per job; access logs would need a second bucket of readers\' data.',
      },
    ]);

    const { senderDomain, mailFromSubdomain } = props.config;
    // Bounces come back to the MAIL FROM domain: SPF then passes for a name under the sender's domain, aligned for
    // DMARC, instead of for amazonses.com.
    const mailFromDomain = `${mailFromSubdomain}.${senderDomain}`;
    this.emailIdentity = new EmailIdentity(this, 'SenderIdentity', {
      identity: Identity.domain(senderDomain),
      configurationSet: this.configurationSet,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain,
    });

    new CfnOutput(this, 'SubscribersTableName', { value: this.subscribersTable.tableName });
    new CfnOutput(this, 'DonationsTableName', { value: this.donationsTable.tableName });
    new CfnOutput(this, 'AuditTableName', { value: this.auditTable.tableName });
    new CfnOutput(this, 'ExportBucketName', { value: this.exportBucket.bucketName });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });

    const records: Record<string, DnsRecord> = {
      ...Object.fromEntries(this.emailIdentity.dkimRecords.map((record, i) => [`DkimRecord${i + 1}`, { name: record.name, type: 'CNAME', value: record.value }])),
      MailFromMxRecord: { name: mailFromDomain, type: 'MX', value: `10 feedback-smtp.${this.region}.amazonses.com` },
      MailFromSpfRecord: { name: mailFromDomain, type: 'TXT', value: '"v=spf1 include:amazonses.com ~all"' },
    };
    const zone = zoneFor(hostedZoneOf(this, props.config), senderDomain);
    if (zone) {
      for (const [id, record] of Object.entries(records)) {
        new CfnRecordSet(this, `${id}Set`, { hostedZoneId: zone.hostedZoneId, name: record.name, type: record.type, ttl: '1800', resourceRecords: [record.value] });
      }
    }
    outputRecords(this, records, zone, `authenticates mail from ${senderDomain} (SES: Easy DKIM, MAIL FROM ${mailFromDomain})`);
    // Never written by the stack: the domain may have a DMARC policy already, which one record would overwrite.
    new CfnOutput(this, 'DmarcRecord', {
      value: recordLine({ name: `_dmarc.${senderDomain}`, type: 'TXT', value: `"v=DMARC1; p=none; rua=mailto:dmarc-reports@${senderDomain}"` }),
      description: 'A suggested DMARC policy, when the domain has none: start with p=none, read the reports (rua: a mailbox you read), then tighten to quarantine',
    });
  }
}
