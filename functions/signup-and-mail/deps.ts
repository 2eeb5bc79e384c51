import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoEditors } from '../adapters/dynamo-console.js';
import { DynamoMailLedger } from '../adapters/dynamo-mail-ledger.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import type { MailDeps } from '../core/mail/mail.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { SignupAndMailConfig } from '../configs.js';
import { mailSenderOf } from './config.js';
import { subscriberStores, subscriptionSettings } from '../platform/wiring/subscribers.js';

/** The signup-and-mail worker's dependencies: DynamoDB (subscribers, sent-mail ledger, the console's editors), SES, the signing key. No SQS client: it consumes the queue and never puts work on it. */
export const buildSignupAndMail = async (config: SignupAndMailConfig, clients: ClientOptions, secrets: SecretSource) => {
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const deps: MailDeps = {
    clock: systemClock,
    ...subscriberStores(dynamo, table, config.COUNTER_SHARDS),
    keys: deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID)),
    settings: {
      ...subscriptionSettings(config),
      charityName: config.CHARITY_NAME,
      charityRegistration: config.CHARITY_REGISTRATION,
      sender: mailSenderOf(config),
    },
    mailer: new SesMailer(recorded(new SESv2Client(clientConfig(clients, 'sesv2')), clients, 'sesv2'), {
      from: config.MAIL_FROM,
      replyTo: config.MAIL_REPLY_TO,
      configurationSet: config.SES_CONFIGURATION_SET,
    }),
    ledger: new DynamoMailLedger(dynamo, table),
    editors: new DynamoEditors(dynamo, table),
  };
  return { deps };
};
