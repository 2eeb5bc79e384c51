import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Email, saveEmail } from 'aws-ses-v2-local/dist/store.js';
import { describe, expect, it } from 'vitest';
import { restoreOutbox } from '../../../../local/server/data-dir.js';

const email = (messageId: string): Email => ({
  messageId,
  from: 'news@example.org',
  replyTo: [],
  destination: { to: ['reader@example.org'], cc: [], bcc: [] },
  subject: 'Please confirm your subscription',
  body: { text: 'hello' },
  attachments: [],
  at: Date.now(),
});

describe('the local SES outbox', () => {
  it('shows a mail only once it is journaled (accepted), never one a crash before the answer could take back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'appeal-outbox-'));
    const outbox = restoreOutbox(dir);
    const before = outbox.accepted().length;
    // aws-ses-v2-local has stored the mail; the sender has no answer yet, and nothing is on disk.
    saveEmail(email('ses-in-flight'));
    expect(outbox.accepted().map((m) => m.id)).not.toContain('ses-in-flight');
    // The answer is due: the mail is journaled first, and from then on it is in the outbox (and survives a crash).
    outbox.journalNewMail();
    expect(outbox.accepted().map((m) => m.id)).toContain('ses-in-flight');
    expect(outbox.accepted()).toHaveLength(before + 1);
    expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8')).toContain('ses-in-flight');
  });
});
