import type { AuditEntry, Editor, Passkey, Role, Session } from '../../functions/core/console/model.js';
import type { AuditLog, Editors, NonceLedger, Passkeys, Sessions } from '../../functions/core/console/ports.js';
import { relyingParty } from '../../functions/core/console/relying-party.js';
import { MemoryDonorGifts, MemoryExportJobs, MemoryExportStore, MemoryTokens } from './admin-fakes.js';
import { MemoryDashboardCounters } from './dashboard-fakes.js';
import { MemoryCampaigns } from './donation-fakes.js';
import { MemoryEventCounters, MemoryExperiments, MemoryVariantGiftCounters } from './experiment-fakes.js';
import { makeSubscriptionDeps } from './fakes.js';
import { type ResolvedAddress, SafeHttp } from '../../functions/adapters/safe-http.js';
import { MemoryBackfillQueue, MemoryConnectors } from './connector-fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints } from './webhook-fakes.js';

/**
 * Names as a resolver answers them for the console's URL checks: `internal.example.org` a private address, any other
 * `*.example.org` and Mailchimp's API hosts a public one, anything else nothing (ENOTFOUND).
 */
const consoleResolver = async (hostname: string): Promise<ResolvedAddress[]> => {
  if (hostname === 'internal.example.org') return [{ address: '10.1.2.3', family: 4 }];
  if (hostname.endsWith('.example.org') || hostname.endsWith('.api.mailchimp.com')) return [{ address: '93.184.216.34', family: 4 }];
  throw new Error('ENOTFOUND');
};

/** The console's ports in memory, with the same contracts as the DynamoDB adapters (functions/adapters/dynamo-console.ts). */
export class MemoryEditors implements Editors {
  readonly items = new Map<string, Editor>();
  async get(email: string) {
    const editor = this.items.get(email);
    return editor && structuredClone(editor);
  }
  async list() {
    return [...this.items.values()].map((e) => structuredClone(e)).sort((a, b) => a.email.localeCompare(b.email));
  }
  async put(email: string, role: Role, at: Date, lang?: string) {
    const kept = this.items.get(email);
    const editor: Editor = { email, role, createdAt: kept?.createdAt ?? at.toISOString(), generation: kept?.generation ?? 0, ...(kept?.lang ? { lang: kept.lang } : {}), ...(lang ? { lang: lang as Editor['lang'] } : {}) };
    this.items.set(email, editor);
    return structuredClone(editor);
  }
  async remove(email: string) {
    return this.items.delete(email);
  }
  async endSessions(email: string) {
    const editor = this.items.get(email);
    if (!editor) return false;
    editor.generation += 1;
    return true;
  }
}

export class MemorySessions implements Sessions {
  readonly items = new Map<string, Session>();
  async create(session: Session) {
    if (this.items.has(session.idHash)) throw new Error('session exists');
    this.items.set(session.idHash, structuredClone(session));
  }
  async get(idHash: string) {
    const session = this.items.get(idHash);
    return session && structuredClone(session);
  }
  async delete(idHash: string) {
    this.items.delete(idHash);
  }
  async listFor(email: string) {
    return [...this.items.values()].filter((s) => s.email === email).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

export class MemoryNonces implements NonceLedger {
  readonly used = new Set<string>();
  async use(purpose: string, nonce: string) {
    const key = `${purpose}#${nonce}`;
    if (this.used.has(key)) return false;
    this.used.add(key);
    return true;
  }
}

export class MemoryPasskeys implements Passkeys {
  readonly items = new Map<string, Passkey>();
  async add(passkey: Passkey) {
    if (this.items.has(passkey.id)) throw new Error('passkey exists');
    this.items.set(passkey.id, structuredClone(passkey));
  }
  async get(id: string) {
    const passkey = this.items.get(id);
    return passkey && structuredClone(passkey);
  }
  async listFor(email: string) {
    return [...this.items.values()].filter((p) => p.email === email);
  }
  async recordUse(id: string, from: number, to: number, at: Date) {
    const passkey = this.items.get(id);
    if (!passkey || passkey.counter !== from) return false;
    passkey.counter = to;
    passkey.lastUsedAt = at.toISOString();
    return true;
  }
  async remove(id: string, email: string) {
    const passkey = this.items.get(id);
    if (!passkey || passkey.email !== email) return false;
    return this.items.delete(id);
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async append(entry: AuditEntry) {
    this.entries.push(structuredClone(entry));
  }
  async recent(limit: number) {
    return [...this.entries].reverse().slice(0, limit);
  }
}

/**
 * The console function's deps over in-memory fakes, on https://api.example.org, with the mail queue, clock, subscribers
 * and suppressions of `t`; the exports' jobs and files, the export worker's starts (`started`), campaigns, gifts held
 * and day counters, and experiments (variants, views and clicks, gifts per variant) in memory.
 */
export const makeConsoleDeps = () => {
  const t = makeSubscriptionDeps();
  const audit = new MemoryAuditLog();
  const jobs = new MemoryExportJobs();
  const connectors = new MemoryConnectors();
  const backfillQueue = new MemoryBackfillQueue();
  const store = new MemoryExportStore();
  const started: string[] = [];
  const campaigns = new MemoryCampaigns();
  // The guarded client as a deployed stage has it: https to public addresses only, never the API's own origin.
  const http = new SafeHttp({ allowLoopbackHttp: false, ownOrigins: ['https://api.example.org'] }, consoleResolver);
  const checkUrl = (url: string) => http.check(url);
  const deps = {
    clock: t.clock,
    keys: t.deps.keys,
    editors: new MemoryEditors(),
    sessions: new MemorySessions(),
    nonces: new MemoryNonces(),
    passkeys: new MemoryPasskeys(),
    tokens: new MemoryTokens(),
    rateLimiter: t.rateLimiter,
    audit,
    queue: t.queue,
    rp: relyingParty('https://api.example.org', 'Example News'),
    limits: {
      client: { name: 'console-signin-client', limit: 30, windowSeconds: 3600 },
      address: { name: 'console-signin-address', limit: 5, windowSeconds: 3600 },
    },
    counters: new MemoryDashboardCounters(),
    campaigns,
    settings: { currencies: ['usd', 'eur', 'gbp'] },
    subscribers: t.subscribers,
    suppressions: t.suppressions,
    counts: t.subscribers,
    donorGifts: new MemoryDonorGifts(),
    listIds: ['news'],
    jobs,
    exportHistory: jobs,
    links: store,
    worker: { start: async (id: string) => void started.push(id) },
    results: { clock: t.clock, experiments: new MemoryExperiments(async (id) => (await campaigns.get(id))?.createdAt), events: new MemoryEventCounters(), gifts: new MemoryVariantGiftCounters() },
    webhooks: { clock: t.clock, endpoints: new MemoryEndpoints(), deliveries: new MemoryDeliveryLog(), queue: new MemoryDeliveryQueue(t.clock), checkUrl },
    connectors: { clock: t.clock, connectors, checkUrl, publicApiUrl: 'https://api.example.org' },
    backfills: { clock: t.clock, connectors, queue: backfillQueue },
  };
  // The mail worker looks up the same editors.
  t.mailDeps.editors = deps.editors;
  return { t, deps, audit, jobs, store, started, backfillQueue };
};
