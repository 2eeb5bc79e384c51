import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from '../../../../functions/core/events/delivery.js';
import { newSigningSecret } from '../../../../functions/core/events/signing.js';

describe('the signature headers of an attempt', () => {
  it('sign as the standardwebhooks package signs, one signature per secret', () => {
    const [a, b] = [newSigningSecret(), newSigningSecret()];
    const sentAt = new Date('2026-11-25T10:00:00.400Z');
    const body = '{"type":"donation.paid","timestamp":"2026-11-25T10:00:00.000Z","data":{"amount":2500,"name":"Zoë ✓"}}';
    const headers = signatureHeaders({ messageId: 'msg_1', sentAt, body, secrets: [a, b] });
    expect(headers['webhook-timestamp']).toBe('1795600800');
    expect(headers['webhook-signature']).toBe(`${new Webhook(a).sign('msg_1', sentAt, body)} ${new Webhook(b).sign('msg_1', sentAt, body)}`);
  });
});
