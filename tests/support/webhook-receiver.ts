import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  receivedAt: number;
  /** The body as the secrets given verified it (undefined: no secret verified it). */
  verified?: { type: string; timestamp: string; data: Record<string, unknown> } | undefined;
}

/**
 * A newsroom's receiver on a loopback port, as the guide shows one: each POST is verified with the
 * `standardwebhooks` library against the secrets it is given (either may sign during a rotation), and kept.
 * `answer` chooses the status of each answer (default 204).
 */
export const startReceiver = async (options: { answer?: (n: number) => number; delayMs?: (n: number) => number } = {}) => {
  const received: ReceivedDelivery[] = [];
  let secrets: string[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified: ReceivedDelivery['verified'];
      for (const secret of secrets) {
        try {
          verified = new Webhook(secret).verify(body, headers) as ReceivedDelivery['verified'];
          break;
        } catch {
          // another secret may sign it
        }
      }
      received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, receivedAt: Date.now(), verified });
      const index = n++;
      const status = options.answer?.(index) ?? 204;
      setTimeout(() => {
        res.writeHead(status);
        res.end();
      }, options.delayMs?.(index) ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    setSecrets(list: string[]) {
      secrets = list;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
