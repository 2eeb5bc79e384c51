import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { TransientError } from '../core/shared/errors.js';
import type { OutgoingEmail } from '../core/mail/model.js';
import type { Mailer } from '../core/mail/ports.js';

export interface SesMailerOptions {
  from: string;
  replyTo?: string | undefined;
  configurationSet?: string | undefined;
}

const RETRYABLE = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'InternalFailure']);

/**
 * Sends through the SESv2 API as a Simple message: only that form carries our own headers
 * (List-Unsubscribe, List-Unsubscribe-Post), and SES builds the MIME parts itself.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: this.options.replyTo ? [this.options.replyTo] : undefined,
          ConfigurationSetName: this.options.configurationSet,
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
              Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
        }),
      );
      return { messageId: result.MessageId ?? 'unknown' };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      if (RETRYABLE.has(name) || status >= 500 || status === 0) {
        throw new TransientError(`the mail service is unavailable (${name || status})`);
      }
      // SES's own messages can quote the recipient: keep only the error's name, never an address, in logs.
      throw new Error(`the mail service rejected the message (${name || status})`);
    }
  }
}
