import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processMailJob } from '../../functions/core/mail/mail.js';
import { MailJob } from '../../functions/core/mail/model.js';
import { sqsBatchHandler } from '../../functions/platform/sqs.js';
import { makeSubscriptionDeps } from '../support/fakes.js';

const record = (messageId: string, body: string) => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:mail',
  awsRegion: 'us-east-1',
});

const emailJob = (id: string, to: string) =>
  JSON.stringify({ kind: 'email', id, email: { to, subject: 'Hi', text: 't', html: 'h', headers: {} } });

describe('the mail queue consumer', () => {
  it('reports only the failed records, so a throttled SES retries them and loses nothing', async () => {
    const t = makeSubscriptionDeps();
    const handler = sqsBatchHandler(MailJob, (job) => processMailJob(t.mailDeps, job));
    t.mailer.throttleNext = 1;
    const event: SQSEvent = {
      Records: [record('m1', emailJob('a', 'a@example.org')), record('m2', emailJob('b', 'b@example.org')), record('m3', '{not json')],
    };
    const result = await handler(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }]);
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['b@example.org']);
    const retry = await handler({ Records: [record('m1', emailJob('a', 'a@example.org'))] });
    expect(retry.batchItemFailures).toEqual([]);
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['b@example.org', 'a@example.org']);
  });

  it('sends a deduplicated email once however often it is delivered', async () => {
    const t = makeSubscriptionDeps();
    const handler = sqsBatchHandler(MailJob, (job) => processMailJob(t.mailDeps, job));
    const body = JSON.stringify({ ...JSON.parse(emailJob('w', 'c@example.org')), dedupeKey: 'welcome:c' });
    await handler({ Records: [record('m1', body), record('m2', body)] });
    await handler({ Records: [record('m3', body)] });
    expect(t.mailer.sent).toHaveLength(1);
  });
});
