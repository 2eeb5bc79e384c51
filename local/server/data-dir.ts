import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Email, getStoreReadonly, saveEmail } from 'aws-ses-v2-local/dist/store.js';
import { appendJournal, readJournal, rewriteJournal, writeFileAtomic } from '../stand-ins/journal.js';

// What the dev server keeps in its data folder besides the tables: its keys, the outbox, and (in the queue's
// own journal) the mail queue; each written before anything that depends on it is acknowledged.

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** One engine per data folder: a second dev server on the same folder would open the same database files. */
export const assertDataDirFree = (dataDir: string) => {
  const file = join(dataDir, 'endpoints.json');
  if (!existsSync(file)) return;
  const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
  if (typeof pid !== 'number' || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // that server is gone
  }
  throw new DataDirInUseError(`${dataDir} is in use by another dev server (pid ${pid}): stop it, or set APPEAL_DATA_DIR`);
};

export const readJson = async <T>(path: string, fallback: T): Promise<T> =>
  existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as T) : fallback;

export interface OutboxEmail {
  id: string;
  at: string;
  from: string;
  to: string[];
  subject: string;
  headers: Record<string, string>;
  text: string;
  html: string;
}

export const toOutbox = (email: Email): OutboxEmail => ({
  id: email.messageId,
  at: new Date(email.at * 1000).toISOString(),
  from: email.from,
  to: email.destination.to,
  subject: email.subject,
  headers: Object.fromEntries((email.headers ?? []).map((h) => [h.name, h.value])),
  text: email.body.text ?? '',
  html: email.body.html ?? '',
});

/**
 * The signing key and the webhook secret (made on the first start, kept for good: every link and every test
 * webhook depends on them).
 */
export const loadKeys = async (dataDir: string) => {
  const stateFile = join(dataDir, 'state.json');
  // portalConfiguration: Appeal's Customer Portal configuration in the simulator, stored by its Stripe setup.
  const keys = await readJson<{ signingKey: string; webhookSecret: string; portalConfiguration?: string }>(stateFile, {
    signingKey: randomBytes(48).toString('base64url'),
    webhookSecret: `whsec_${randomBytes(24).toString('base64url')}`,
  });
  writeFileAtomic(stateFile, JSON.stringify(keys)); // the keys must outlive a crash
  return keys;
};

/**
 * The outbox: every mail the local SES accepted, journaled (`outbox.jsonl`) before the sender hears that it was,
 * and restored into aws-ses-v2-local's store at start. Returns the step that journals newly accepted mail, and the
 * outbox itself: the journaled mail only. aws-ses-v2-local stores a mail a moment before the sender's answer (and
 * the journal) are due; a crash in that moment loses it, as it loses a send SES never answered, which the sender
 * sends again: so the outbox never shows a mail that a crash could take back.
 */
export const restoreOutbox = (dataDir: string) => {
  const journal = join(dataDir, 'outbox.jsonl');
  const kept = readJournal<Email>(journal);
  for (const email of kept.entries) saveEmail(email);
  if (!kept.intact) rewriteJournal(journal, kept.entries); // drop a line torn by a crash before appending
  let journaled = getStoreReadonly().emails.length;
  return {
    journalNewMail: () => {
      const { emails } = getStoreReadonly();
      for (; journaled < emails.length; journaled++) appendJournal(journal, emails[journaled]);
    },
    accepted: (): OutboxEmail[] => getStoreReadonly().emails.slice(0, journaled).map(toOutbox),
  };
};

/**
 * The data folder, made if need be: its keys and its outbox, taken up from an earlier run. `ownEngine`: the server
 * opens its own DynamoDB Local on the folder, so no other dev server may be using it.
 */
export const openDataDir = async (path: string, { ownEngine }: { ownEngine: boolean }) => {
  const dir = resolve(path);
  await mkdir(dir, { recursive: true });
  if (ownEngine) assertDataDirFree(dir);
  const keys = await loadKeys(dir);
  const outbox = restoreOutbox(dir);
  return { dir, keys, outbox };
};

export type DataDir = Awaited<ReturnType<typeof openDataDir>>;

/**
 * `endpoints.json`: where the running server is (the admin CLI goes through its DynamoDB endpoint rather than open
 * the folder's database a second time, and `stripe setup --local` reaches its Stripe simulator's API) and its process id (a second dev server on the folder is refused).
 */
export const recordEndpoints = (
  dataDir: string,
  { url, dynamodb, tables, stripeApi }: { url: string; dynamodb: string; tables: Record<string, string>; stripeApi?: string },
) => writeFile(join(dataDir, 'endpoints.json'), JSON.stringify({ url, pid: process.pid, dynamodb, tables, ...(stripeApi ? { stripeApi } : {}) }, null, 2));
