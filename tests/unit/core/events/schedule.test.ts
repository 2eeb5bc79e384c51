import { describe, expect, it } from 'vitest';
import { deliver } from '../../../../functions/core/events/delivery.js';
import type { WebhookEndpoint } from '../../../../functions/core/events/endpoint.js';
import type { WebhookEvent } from '../../../../functions/core/events/model.js';
import { DISABLE_AFTER_MS, deliveryOutcome, MAX_ATTEMPTS, nextAttemptAt } from '../../../../functions/core/events/schedule.js';
import { newSigningSecret } from '../../../../functions/core/events/signing.js';
import { ForbiddenTargetError, type OutboundHttp, OutboundRequestError } from '../../../../functions/core/shared/outbound-http.js';
import { FakeClock } from '../../../support/fakes.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const middle = () => 0.5; // no jitter

const endpoint: WebhookEndpoint = {
  id: 'wh_1',
  url: 'https://hooks.example.org/appeal',
  events: ['donation.paid'],
  secret: newSigningSecret(),
  createdAt: '2026-11-01T00:00:00.000Z',
};
const paid: WebhookEvent = {
  id: 'evt_1',
  type: 'donation.paid',
  timestamp: '2026-11-25T10:00:00.000Z',
  data: { id: 'pi_1', campaign: 'spring', amount: 2500, currency: 'usd', frequency: 'once', status: 'paid' },
};

/** An endpoint that answers with `answer` (a status, or an error thrown), each after `takes` seconds of the clock. */
const endpointAnswering = (clock: FakeClock, answer: number | Error, takes = 0): OutboundHttp => ({
  request: async () => {
    clock.advance(takes);
    if (answer instanceof Error) throw answer;
    return { status: answer, headers: {}, body: '', truncated: false };
  },
});

describe('the retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h between attempts, then gives up after the 8th', () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const waits = [1, 2, 3, 4, 5, 6, 7].map((attempt) => nextAttemptAt(attempt, now, middle)!.getTime() - now.getTime());
    expect(waits).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(nextAttemptAt(8, now, middle)).toBeUndefined();
  });

  it('spreads each wait by at most 10 % either way', () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    expect(nextAttemptAt(2, now, () => 0)!.getTime() - now.getTime()).toBe(4.5 * MIN);
    expect(nextAttemptAt(2, now, () => 0.999999)!.getTime() - now.getTime()).toBeCloseTo(5.5 * MIN, -2);
  });

  it('follows a failing endpoint through every attempt on a driven clock, then fails the delivery', async () => {
    const clock = new FakeClock();
    const http = endpointAnswering(clock, 503);
    let failingSince: string | undefined;
    const times: string[] = [];
    let outcome: ReturnType<typeof deliveryOutcome> | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const report = await deliver(endpoint, paid, http, clock);
      expect(report).toMatchObject({ delivered: false, responseStatus: 503, error: 'status' });
      times.push(report.sentAt);
      outcome = deliveryOutcome({ attempt, result: report, endpointFailingSince: failingSince, now: clock.now(), random: middle });
      failingSince = outcome.endpointFailingSince;
      if (outcome.status !== 'pending') break;
      clock.current = new Date(outcome.nextAttemptAt!);
    }

    expect(times).toHaveLength(8);
    const gaps = times.slice(1).map((t, i) => Date.parse(t) - Date.parse(times[i]!));
    expect(gaps).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(outcome).toMatchObject({ status: 'failed', disableEndpoint: false, endpointFailingSince: times[0] });
  });

  it('delivers on the retry that gets a 2xx, and clears the endpoint’s failures', async () => {
    const clock = new FakeClock();
    const first = await deliver(endpoint, paid, endpointAnswering(clock, new OutboundRequestError('network', 'connection refused')), clock);
    expect(first).toMatchObject({ delivered: false, error: 'network' });
    const afterFirst = deliveryOutcome({ attempt: 1, result: first, endpointFailingSince: undefined, now: clock.now(), random: middle });
    expect(afterFirst).toMatchObject({ status: 'pending', nextAttemptAt: '2026-11-25T10:00:05.000Z' });

    clock.current = new Date(afterFirst.nextAttemptAt!);
    const second = await deliver(endpoint, paid, endpointAnswering(clock, 200), clock);
    expect(deliveryOutcome({ attempt: 2, result: second, endpointFailingSince: afterFirst.endpointFailingSince, now: clock.now(), random: middle })).toEqual({
      status: 'delivered',
      endpointFailingSince: undefined,
      disableEndpoint: false,
    });
  });

  it('counts only a 2xx within 10 seconds: a redirect, a 4xx, a slow 200 and a timeout are failures', async () => {
    const clock = new FakeClock();
    expect(await deliver(endpoint, paid, endpointAnswering(clock, 301), clock)).toMatchObject({ delivered: false, responseStatus: 301 });
    expect(await deliver(endpoint, paid, endpointAnswering(clock, 410), clock)).toMatchObject({ delivered: false, responseStatus: 410 });
    expect(await deliver(endpoint, paid, endpointAnswering(clock, 200, 11), clock)).toMatchObject({ delivered: false, error: 'timeout' });
    expect(await deliver(endpoint, paid, endpointAnswering(clock, 200, 10), clock)).toMatchObject({ delivered: true, latencyMs: 10_000 });
    const timedOut = endpointAnswering(clock, new OutboundRequestError('timeout', 'no answer in 10 s'));
    expect(await deliver(endpoint, paid, timedOut, clock)).toMatchObject({ delivered: false, error: 'timeout' });
  });

  it('reports a target that became forbidden (DNS now points inside) as a failed attempt, not a crash', async () => {
    const clock = new FakeClock();
    const rebound = endpointAnswering(clock, new ForbiddenTargetError('The URL resolves to a private address.'));
    expect(await deliver(endpoint, paid, rebound, clock)).toMatchObject({ delivered: false, error: 'forbidden_target' });
  });

  it('disables an endpoint that has failed for three days, and fails its delivery', () => {
    const since = '2026-11-22T10:00:00.000Z';
    const almost = new Date(Date.parse(since) + DISABLE_AFTER_MS - 1);
    const failed = { delivered: false } as const;
    expect(deliveryOutcome({ attempt: 2, result: failed, endpointFailingSince: since, now: almost, random: middle })).toMatchObject({
      status: 'pending',
      disableEndpoint: false,
    });
    const threeDays = new Date(Date.parse(since) + DISABLE_AFTER_MS);
    expect(deliveryOutcome({ attempt: 2, result: failed, endpointFailingSince: since, now: threeDays, random: middle })).toEqual({
      status: 'failed',
      endpointFailingSince: since,
      disableEndpoint: true,
    });
  });
});
