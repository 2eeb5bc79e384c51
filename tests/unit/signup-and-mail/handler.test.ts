import { describe, expect, it } from 'vitest';
import { makeHandler as makeMailer } from '../../../functions/signup-and-mail/handler.js';
import { makeHandler as makeSubscriptions } from '../../../functions/subscriptions/routes.js';
import { makeSubscriptionDeps } from '../../support/fakes.js';
import { httpEvent, sqsEvent } from '../../support/events.js';

const limits = {
  signupClient: { name: 'signup-client', limit: 30, windowSeconds: 60 },
  linkClient: { name: 'link-client', limit: 60, windowSeconds: 60 },
};

/** A signup taken by the subscriptions handler: the job it put on the queue, as the mailer receives it. */
const queuedSignup = async () => {
  const fakes = makeSubscriptionDeps();
  await makeSubscriptions(fakes.deps, { limits })(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'reader@example.org' } }));
  return { ...fakes, jobs: fakes.queue.take() };
};

describe('mailer handler', () => {
  it('applies a signup job and sends the confirmation email', async () => {
    const { mailDeps, mailer, subscribers, jobs } = await queuedSignup();
    const result = await makeMailer(mailDeps)(sqsEvent(jobs));
    expect(result.batchItemFailures).toEqual([]);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toBe('reader@example.org');
    expect((await subscribers.get('reader@example.org'))?.status).toBe('pending');
  });

  it('reports only the failed records: a malformed one and one SES throttled', async () => {
    const { mailDeps, mailer, jobs } = await queuedSignup();
    mailer.throttleNext = 1;
    const result = await makeMailer(mailDeps)(sqsEvent(['{"kind":"nonsense"}', ...jobs]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }, { itemIdentifier: 'msg-2' }]);
    expect(mailer.sent).toHaveLength(0);
  });
});
