import { describe, expect, it } from 'vitest';
import type { FeedbackDeps } from '../../../functions/core/list-hygiene/feedback.js';
import { makeHandler } from '../../../functions/ses-events/handler.js';
import { makeSubscriptionDeps } from '../../support/fakes.js';
import { snsEvent } from '../../support/events.js';

const setup = () => {
  const t = makeSubscriptionDeps();
  const deps: FeedbackDeps = { clock: t.clock, subscribers: t.subscribers, suppressions: t.suppressions, keys: t.deps.keys };
  return { ...t, handler: makeHandler(deps) };
};

const bounce = (bounceType: string, emailAddress: string) => ({
  notificationType: 'Bounce',
  bounce: { bounceType, bouncedRecipients: [{ emailAddress }] },
});

describe('ses-events handler', () => {
  it('suppresses a permanently bounced address and a complaining one', async () => {
    const { handler, suppressions } = setup();
    await handler(
      snsEvent([
        bounce('Permanent', 'gone@example.org'),
        { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'angry@example.org' }] } },
      ]),
    );
    expect([...suppressions.items.values()].map((s) => s.reason).sort()).toEqual(['bounced', 'complained']);
  });

  it('ignores transient bounces and deliveries', async () => {
    const { handler, suppressions } = setup();
    await handler(snsEvent([bounce('Transient', 'full@example.org'), { eventType: 'Delivery' }]));
    expect(suppressions.items.size).toBe(0);
  });

  it('throws on a message it cannot read, so that Lambda retries it', async () => {
    const { handler } = setup();
    await expect(handler(snsEvent([{ notificationType: 'Bounce', bounce: { bounceType: 'Permanent' } }]))).rejects.toThrow();
  });
});
