import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ConfigurationSet, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
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
  readonly configurationSet: ConfigurationSet;
  readonly emailIdentity: EmailIdentity;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    this.subscribersTable = protectedTable(this, 'SubscribersTable', TABLES.subscribers);
    this.donationsTable = protectedTable(this, 'DonationsTable', TABLES.donations);

    this.configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      // SES's account-level suppression list as a second net under our own bounced/complained status.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.emailIdentity = new EmailIdentity(this, 'SenderIdentity', {
      identity: Identity.domain(props.config.senderDomain),
      configurationSet: this.configurationSet,
    });

    new CfnOutput(this, 'SubscribersTableName', { value: this.subscribersTable.tableName });
    new CfnOutput(this, 'DonationsTableName', { value: this.donationsTable.tableName });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSet.configurationSetName });
    this.emailIdentity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, { value: `${record.name} CNAME ${record.value}` });
    });
  }
}
