import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processMailJob } from '../../../functions/core/mail/mail.js';
import { MailIntent } from '../../../functions/core/mail/model.js';
import { sqsBatchHandler } from '../../../functions/platform/sqs.js';
import { makeSubscriptionDeps } from '../../support/fakes.js';

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

/** A signup job: its confirmation goes out with no dedupe key (the subscriber write decides and replays it). */
const signupJob = (id: string, email: string) =>
  JSON.stringify({ kind: 'signup', id, request: { email, lists: ['news'], consent: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } } });

describe('the mail queue consumer', () => {
  it('reports only the failed records, so a throttled SES retries them and loses nothing', async () => {
    const t = makeSubscriptionDeps();
    const handler = sqsBatchHandler(MailIntent, (job) => processMailJob(t.mailDeps, job));
    t.mailer.throttleNext = 1;
    const event: SQSEvent = {
      Records: [record('m1', signupJob('a', 'a@example.org')), record('m2', signupJob('b', 'b@example.org')), record('m3', '{not json')],
    };
    const result = await handler(event);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }]);
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['b@example.org']);
    const retry = await handler({ Records: [record('m1', signupJob('a', 'a@example.org'))] });
    expect(retry.batchItemFailures).toEqual([]);
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['b@example.org', 'a@example.org']);
  });

  it('sends a deduplicated email once however often it is delivered', async () => {
    const t = makeSubscriptionDeps();
    const handler = sqsBatchHandler(MailIntent, (job) => processMailJob(t.mailDeps, job));
    const body = JSON.stringify({ kind: 'welcome', id: 'w', email: 'c@example.org', round: 'r' });
    await handler({ Records: [record('m1', body), record('m2', body)] });
    await handler({ Records: [record('m3', body)] });
    expect(t.mailer.sent).toHaveLength(1);
  });
});
