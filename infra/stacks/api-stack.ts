import { type CfnElement, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { FunctionEntry, StageConfig } from '../config.js';
import { AdminConsole } from '../constructs/admin-console.js';
import type { AppFunction } from '../constructs/app-function.js';
import { EditorConsole } from '../constructs/console.js';
import { Donations } from '../constructs/donations.js';
import { Embed } from '../constructs/embed.js';
import { Events } from '../constructs/events.js';
import { logicalIdWithoutFeatures } from '../constructs/feature.js';
import { ListHygiene } from '../constructs/list-hygiene.js';
import { MailingList } from '../constructs/mailing-list.js';
import { Monitoring } from '../constructs/monitoring.js';
import { OutboundEvents } from '../constructs/outbound-events.js';
import { PublicApi } from '../constructs/public-api.js';
import { Reminders } from '../constructs/reminders.js';
import { SigningKey } from '../constructs/signing-key.js';
import { siteEnvironment } from '../constructs/site.js';
import { outputRecords } from '../constructs/dns.js';
import { APPEAL_VERSION } from '../version.js';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  subscribersTable: ITable;
  donationsTable: ITable;
  auditTable: ITable;
  exportBucket: IBucket;
  sesEventsTopic: ITopic;
  configurationSet: IConfigurationSet;
  emailIdentity: IEmailIdentity;
}

/**
 * Everything stateless, composed of features (infra/constructs/): the HTTP API, the mailing list, donations, the
 * admin console, list hygiene, the embed, and the monitoring that watches them. Safe to destroy and redeploy.
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, subscribersTable, donationsTable } = props;

    const signingSecret = new SigningKey(this, 'SigningKey').secret;
    const api = new PublicApi(this, 'PublicApi', { config });
    this.api = api.httpApi;
    const site = siteEnvironment(config, api.url);

    const mailingList = new MailingList(this, 'MailingList', {
      config,
      site,
      signingSecret,
      subscribersTable,
      emailIdentity: props.emailIdentity,
      configurationSet: props.configurationSet,
    });
    const donations = new Donations(this, 'Donations', { config, site, signingSecret, donationsTable, mailQueue: mailingList.queue });
    const adminConsole = new AdminConsole(this, 'AdminConsole', { config, site, signingSecret, subscribersTable, donationsTable, exportBucket: props.exportBucket, auditTable: props.auditTable });
    const listHygiene = new ListHygiene(this, 'ListHygiene', { signingSecret, subscribersTable, sesEventsTopic: props.sesEventsTopic });
    const embed = new Embed(this, 'Embed');
    const events = new Events(this, 'Events', { donationsTable });
    const outboundEvents = new OutboundEvents(this, 'OutboundEvents', { site, signingSecret, subscribersTable, donationsTable, mailQueue: mailingList.queue });
    const editorConsole = new EditorConsole(this, 'EditorConsole', {
      config,
      site,
      signingSecret,
      subscribersTable,
      auditTable: props.auditTable,
      mailQueue: mailingList.queue,
      donationsTable,
      exportBucket: props.exportBucket,
      exportWorker: adminConsole.functions['export-worker'].fn,
      webhookQueue: outboundEvents.queue,
    });
    const reminders = new Reminders(this, 'Reminders', {
      config,
      site,
      signingSecret,
      subscribersTable,
      donationsTable,
      emailIdentity: props.emailIdentity,
      configurationSet: props.configurationSet,
    });

    const functions: Record<FunctionEntry, AppFunction> = {
      ...mailingList.functions,
      ...donations.functions,
      ...adminConsole.functions,
      ...listHygiene.functions,
      ...api.functions,
      ...embed.functions,
      ...events.functions,
      ...editorConsole.functions,
      ...reminders.functions,
      ...outboundEvents.functions,
    };
    api.addRoutes(functions);
    // Reserved concurrency only where the stage asks for it (infra/config.ts `reservedConcurrency`).
    for (const [entry, fn] of Object.entries(functions)) fn.reserveConcurrency(config.reservedConcurrency[entry as FunctionEntry]);

    const monitoring = new Monitoring(this, 'Monitoring', {
      config,
      api: api.httpApi,
      accessLogs: api.accessLogs,
      functions,
      mailQueue: mailingList.queue,
      failureQueues: [mailingList.deadLetters, listHygiene.failures, adminConsole.exportFailures, events.deadLetters, reminders.failures, outboundEvents.deadLetters, outboundEvents.streamFailures],
      configurationSetName: props.configurationSet.configurationSetName,
    });

    events.backlogAlarm.addAlarmAction(new SnsAction(monitoring.alarmTopic));
    outboundEvents.endpointDisabledAlarm.addAlarmAction(new SnsAction(monitoring.alarmTopic));

    new CfnOutput(this, 'ApiUrl', { value: api.httpApi.apiEndpoint });
    new CfnOutput(this, 'PublicApiUrl', { value: api.url });
    new CfnOutput(this, 'SignupAndMailQueueUrl', { value: mailingList.queue.queueUrl });
    new CfnOutput(this, 'StripeSecretArn', { value: donations.stripeSecret.secretArn });
    new CfnOutput(this, 'StripeWebhookUrl', { value: `${api.url}/v1/stripe/webhook` });
    new CfnOutput(this, 'RemindersFunctionName', { value: reminders.functions.reminders.fn.functionName, description: 'The reminders job: `admin reminders run` invokes it' });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.alarmTopic.topicArn, description: "The alarms' SNS topic: alarmEmail confirms its subscription once" });
    if (api.customDomain) outputRecords(this, { ApiDomainRecord: api.customDomain.record }, api.customDomain.zone, "the API's domain, to API Gateway");
    new CfnOutput(this, 'AppealVersion', { value: APPEAL_VERSION, description: 'The version of Appeal deployed (package.json)' });
  }

  /** Logical ids leave the features out (see `Feature`): grouping resources into features replaces none of them. */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutFeatures(element);
  }
}
