import type { ExportAdminDeps, ExportCatalogue, ExportRunDeps } from '../../functions/core/admin/exports/exports.js';
import type { ExportJob } from '../../functions/core/admin/exports/model.js';
import type { ExportHistory, ExportJobs, ExportLinks, ExportWriter } from '../../functions/core/admin/exports/ports.js';
import type { AdminTokenRecord, AdminTokens, DonorGifts, TokenSelector } from '../../functions/core/admin/ports.js';
import type { Gift } from '../../functions/core/donations/model.js';
import type { Subscriber } from '../../functions/core/subscriptions/model.js';
import { campaignSettings, MemoryCampaigns } from './donation-fakes.js';
import { type FakeClock, makeSubscriptionDeps } from './fakes.js';
import { MemoryAuditLog } from './console-fakes.js';
import type { AdminDeps } from '../../functions/core/admin/admin.js';

export class MemoryTokens implements AdminTokens {
  readonly items = new Map<string, AdminTokenRecord>();
  async create(hash: string, record: AdminTokenRecord) {
    this.items.set(hash, record);
  }
  async findByHash(hash: string) {
    const record = this.items.get(hash);
    return record && { ...record, hash };
  }
  async list() {
    return [...this.items.values()];
  }
  async revoke(which: TokenSelector) {
    const hit = [...this.items].filter(([, r]) => ('id' in which ? r.id === which.id : r.name === which.name));
    for (const [hash] of hit) this.items.delete(hash);
    return hit.map(([, record]) => ({ ...record }));
  }
  async touch(hash: string, at: Date) {
    const record = this.items.get(hash);
    if (record) record.lastUsedAt = at.toISOString();
  }
}

export class MemoryExportJobs implements ExportJobs, ExportHistory {
  readonly items = new Map<string, ExportJob>();
  async create(job: ExportJob) {
    this.items.set(job.id, structuredClone(job));
  }
  async get(id: string) {
    const job = this.items.get(id);
    return job && structuredClone(job);
  }
  async recent(limit: number) {
    return [...this.items.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit).map((job) => structuredClone(job));
  }
  async progress(id: string, rows: number) {
    const job = this.items.get(id);
    if (job?.status === 'running') job.rows = rows;
  }
  async finish(id: string, outcome: { status: 'done'; rows: number; objectKey: string } | { status: 'failed'; rows: number }, at: Date) {
    const job = this.items.get(id);
    if (job?.status === 'running') Object.assign(job, outcome, { finishedAt: at.toISOString() });
  }
}

/** CSV objects kept as arrays of rows. */
export class MemoryExportStore implements ExportWriter, ExportLinks {
  readonly objects = new Map<string, string[][]>();
  async write(key: string, header: readonly string[], rows: AsyncIterable<readonly string[]>) {
    const lines: string[][] = [[...header]];
    for await (const row of rows) lines.push([...row]);
    this.objects.set(key, lines);
    return lines.length - 1;
  }
  async link(key: string, seconds: number) {
    return `https://exports.example.org/${key}?expires=${seconds}`;
  }
}

/**
 * The gifts held for an address, as the donations table answers: only campaigns with the donor's marker (a paid
 * gift of theirs), and there every gift under the address.
 */
export class MemoryDonorGifts implements DonorGifts {
  constructor(readonly gifts: Gift[] = []) {}
  async find(email: string) {
    const mine = (g: Gift) => g.donorEmail === email;
    const given = new Set(this.gifts.filter((g) => mine(g) && g.status === 'paid').map((g) => g.campaign));
    return this.gifts.filter((g) => mine(g) && given.has(g.campaign)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

/** What export filters are checked against: subscriber counts on `lists`, and `campaigns`. */
export const makeCatalogue = (lists: string[] = ['news'], campaigns: string[] = ['ukraine']): ExportCatalogue => {
  const repo = new MemoryCampaigns();
  for (const id of campaigns) {
    const at = '2026-11-01T00:00:00.000Z';
    repo.items.set(id, { ...campaignSettings({ id }), shards: 1, raised: 0, donations: 0, donors: 0, createdAt: at, updatedAt: at });
  }
  return { listIds: [], counts: { read: async () => Object.fromEntries(lists.map((list) => [`list:${list}:confirmed`, 0])) }, campaigns: repo };
};

/** Export dependencies over in-memory stores; the worker only records what it was asked to start. */
export const makeExportDeps = (clock: FakeClock, subscribers: Subscriber[] = [], gifts: Gift[] = [], cancellations = new Map<string, string[]>()) => {
  const jobs = new MemoryExportJobs();
  const store = new MemoryExportStore();
  const started: string[] = [];
  const deps: ExportAdminDeps & ExportRunDeps & ExportCatalogue = {
    clock,
    jobs,
    writer: store,
    links: store,
    worker: { start: async (id) => void started.push(id) },
    source: {
      subscribers: async function* () {
        yield* subscribers;
      },
      gifts: async function* () {
        yield* gifts;
      },
    },
    // Gift Aid cancellations by address, as the donations table holds them.
    giftAidCancellations: { cancellationsOf: async (email: string) => cancellations.get(email) ?? [] },
    ...makeCatalogue(),
  };
  return { deps, jobs, store, started };
};

/** The admin function's deps over in-memory fakes: the subscriptions' fakes (`t`), an empty token store and donor ledger. */
export const makeAdminDeps = () => {
  const t = makeSubscriptionDeps();
  const admin: AdminDeps = {
    clock: t.clock,
    tokens: new MemoryTokens(),
    subscribers: t.subscribers,
    suppressions: t.suppressions,
    counts: t.subscribers,
    campaigns: new MemoryCampaigns(),
    donorGifts: new MemoryDonorGifts(),
    keys: t.deps.keys,
    audit: new MemoryAuditLog(),
  };
  return { t, admin };
};
