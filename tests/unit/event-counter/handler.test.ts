import { describe, expect, it } from 'vitest';
import type { CounterIncrement, EventTotals } from '../../../functions/core/experiments/model.js';
import type { EventCounters } from '../../../functions/core/experiments/ports.js';
import { makeHandler } from '../../../functions/event-counter/handler.js';
import { sqsEvent as batch } from '../../support/events.js';

/** In-memory counters with the adapter's contract: a batch id added twice adds once. */
class FakeCounters implements EventCounters {
  readonly writes: CounterIncrement[][] = [];
  private readonly batches = new Set<string>();
  async add(increments: readonly CounterIncrement[], batchId: string) {
    if (this.batches.has(batchId)) return;
    this.batches.add(batchId);
    this.writes.push([...increments]);
  }
  async totals(): Promise<EventTotals> {
    const totals: EventTotals = {};
    for (const increment of this.writes.flat()) {
      for (const [name, count] of Object.entries(increment.counts)) {
        const [type, variant = ''] = name.split(':');
        const entry = totals[variant] ?? { views: 0, clicks: 0 };
        totals[variant] = entry;
        if (type === 'view') entry.views += count;
        else entry.clicks += count;
      }
    }
    return totals;
  }
}

describe('event counter', () => {
  it('adds a batch as one write per campaign and day, every variant’s views and clicks in it', async () => {
    const counters = new FakeCounters();
    const events = [
      ...Array.from({ length: 700 }, () => ({ type: 'view', campaign: 'news', variant: 'control', day: '2026-12-10' })),
      ...Array.from({ length: 650 }, () => ({ type: 'view', campaign: 'news', variant: 'urgent', day: '2026-12-10' })),
      ...Array.from({ length: 9 }, () => ({ type: 'click', campaign: 'news', variant: 'urgent', day: '2026-12-10' })),
      { type: 'view', campaign: 'news', variant: 'control', day: '2026-12-11' },
      { type: 'view', campaign: 'other', variant: 'control', day: '2026-12-10' },
    ];
    await makeHandler({ counters })(batch(events));
    expect(counters.writes).toHaveLength(1);
    expect(counters.writes[0]).toHaveLength(3);
    expect(await counters.totals()).toEqual({ control: { views: 702, clicks: 0 }, urgent: { views: 650, clicks: 9 } });
  });

  it('counts a batch delivered twice once', async () => {
    const counters = new FakeCounters();
    const event = batch([{ type: 'view', campaign: 'news', variant: 'control', day: '2026-12-10' }]);
    await makeHandler({ counters })(event);
    await makeHandler({ counters })(event);
    expect((await counters.totals()).control?.views).toBe(1);
  });

  it('drops a malformed message and counts the rest', async () => {
    const counters = new FakeCounters();
    await makeHandler({ counters })(batch(['not json', { type: 'view', campaign: 'news', variant: 'control', day: '2026-12-10', extra: 1 }, { type: 'view', campaign: 'news', variant: 'control', day: '2026-12-10' }]));
    expect((await counters.totals()).control?.views).toBe(1);
  });
});
