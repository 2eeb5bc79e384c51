import { addressKey, normalizeEmail } from '../shared/email-address.js';
import type { Subscriber } from '../subscriptions/model.js';
import type { Clock } from '../shared/ports.js';
import type { SubscriberRepository } from '../subscriptions/ports.js';
import type { Suppressions } from '../mail/ports.js';
import { retryOnConflict } from '../shared/retry.js';
import type { Keys } from '../shared/secrets.js';

/** What recording SES feedback needs: the subscribers (with their counts) and the suppression markers. */
export interface FeedbackDeps {
  clock: Clock;
  subscribers: Pick<SubscriberRepository, 'get' | 'save'>;
  suppressions: Pick<Suppressions, 'put'>;
  keys: Pick<Keys, 'email'>;
}

export type SesFeedback = { kind: 'bounce' | 'complaint'; addresses: string[] };

/**
 * SES says an address bounced for good or complained: mark the subscriber (if any) and keep a suppression
 * marker (also for donors who are not subscribers), so the mailer never sends to it again.
 */
export const recordMailFeedback = async (
  deps: FeedbackDeps,
  feedback: SesFeedback,
) => {
  const status: Subscriber['status'] = feedback.kind === 'bounce' ? 'bounced' : 'complained';
  for (const raw of feedback.addresses) {
    let email: string;
    try {
      email = normalizeEmail(raw.replace(/^.*<([^>]+)>.*$/, '$1'));
    } catch {
      continue; // not an address we could have mailed
    }
    await deps.suppressions.put(addressKey(deps.keys, email), status, deps.clock.now());
    await retryOnConflict(async () => {
      const subscriber = await deps.subscribers.get(email);
      if (!subscriber || subscriber.status === status) return;
      const at = deps.clock.now().toISOString();
      await deps.subscribers.save({ ...subscriber, status, updatedAt: at }, subscriber);
    });
  }
};
