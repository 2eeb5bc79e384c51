import type { Subscriber } from './model.js';

export { DEFAULT_SHARDS, MAX_SHARDS } from '../shared/shards.js';

/** The counters one subscriber adds: one for its status, one per list and status. */
export const countsOf = (subscriber: Pick<Subscriber, 'status' | 'lists'> | undefined): Record<string, number> => {
  if (!subscriber) return {};
  const counts: Record<string, number> = { [`status:${subscriber.status}`]: 1 };
  for (const list of subscriber.lists) counts[`list:${list}:${subscriber.status}`] = 1;
  return counts;
};

/**
 * How the subscriber counts move when a subscriber goes from `from` to `to` (undefined: no subscriber): written
 * by the repository in the same transaction as the subscriber. Empty when the status and lists stay the same.
 */
export const countChange = (from: Subscriber | undefined, to: Subscriber | undefined): Record<string, number> => {
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(countsOf(to))) delta[key] = (delta[key] ?? 0) + n;
  for (const [key, n] of Object.entries(countsOf(from))) delta[key] = (delta[key] ?? 0) - n;
  return Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0));
};
