import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCampaign } from '../../../../functions/core/donations/campaigns.js';
import { Campaign, CampaignCurrencyLockedError, CampaignRecord } from '../../../../functions/core/donations/model.js';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { runAdmin } from '../../../support/cli.js';
import { campaignSettings, MemoryCampaigns } from '../../../support/donation-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const deps = (currencies = ['usd', 'eur', 'gbp']) => ({ campaigns: new MemoryCampaigns(), clock: new FakeClock(), settings: { currencies } });

describe('saveCampaign', () => {
  it.each(['cad', 'xyz'])('refuses a campaign in %s, a currency checkout does not accept', async (currency) => {
    const d = deps();
    const saving = saveCampaign(d, campaignSettings({ currency }));
    await expect(saving).rejects.toThrow(ValidationError);
    await expect(saving).rejects.toThrow(`${currency.toUpperCase()} is not an accepted currency (accepted: USD, EUR, GBP)`);
    expect(d.campaigns.items.size).toBe(0);
  });

  it('accepts a currency the configuration adds', async () => {
    const d = deps(['usd', 'cad']);
    await expect(saveCampaign(d, campaignSettings({ currency: 'cad' }))).resolves.toMatchObject({ currency: 'cad' });
  });

  it("never changes a campaign's currency once it is created, and keeps its other settings changeable", async () => {
    const d = deps();
    await saveCampaign(d, campaignSettings({ currency: 'usd' }));
    const changing = saveCampaign(d, campaignSettings({ currency: 'eur', title: 'Renamed' }));
    await expect(changing).rejects.toThrow(CampaignCurrencyLockedError);
    await expect(changing).rejects.toThrow("Campaign ukraine takes gifts in USD: a campaign's currency cannot change once it is created.");
    expect(await d.campaigns.get('ukraine')).toMatchObject({ currency: 'usd', title: 'Support Ukraine' });
    await expect(saveCampaign(d, campaignSettings({ currency: 'usd', title: 'Renamed' }))).resolves.toMatchObject({ title: 'Renamed' });
  });
});

/** Characters that break a line or are not text: C0 (CR, LF, tab, NUL, ESC), DEL, C1 (NEL, CSI), U+2028, U+2029. */
const BREAKING = ['\r\n', '\n', '\r', '\t', '\u0000', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029'];
const codeOf = (s: string) => [...s].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`).join(' ');

describe('a campaign title', () => {
  it.each(BREAKING.map((c) => [codeOf(c), c]))('refuses %s in a title, saying why, and saves nothing', async (_code, breaking) => {
    const d = deps();
    const saving = saveCampaign(d, campaignSettings({ title: `Spring appeal${breaking}Bcc: someone@example.org` }));
    await expect(saving).rejects.toThrow(ValidationError);
    await expect(saving).rejects.toMatchObject({ code: 'invalid_field', field: 'title', message: 'A campaign title must be one line: no line breaks or other control characters.' });
    expect(d.campaigns.items.size).toBe(0);
  });

  it('refuses them when an existing campaign is edited too, and keeps its title', async () => {
    const d = deps();
    await saveCampaign(d, campaignSettings({ title: 'Spring appeal' }));
    await expect(saveCampaign(d, campaignSettings({ title: 'Spring\r\nappeal' }))).rejects.toMatchObject({ field: 'title' });
    expect((await d.campaigns.get('ukraine'))?.title).toBe('Spring appeal');
  });

  it('takes any one line of text, in any script', async () => {
    const d = deps();
    for (const title of ['UNITED24: допомога Україні — 2026 🇺🇦', 'Zbiórka «Ciepło» №2', 'Spenden & Hilfe (50 %)']) {
      await expect(saveCampaign(d, campaignSettings({ title }))).resolves.toMatchObject({ title });
    }
  });

  it('is held to the same rule when read back from storage', () => {
    const stored = { ...campaignSettings(), shards: 2, raised: 0, donations: 0, donors: 0, createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z' };
    for (const breaking of BREAKING) {
      const title = `Spring appeal${breaking}Bcc: someone@example.org`;
      expect(Campaign.safeParse({ ...stored, title }).success, codeOf(breaking)).toBe(false);
      expect(CampaignRecord.safeParse({ ...stored, title }).success, codeOf(breaking)).toBe(false);
    }
    expect(Campaign.parse({ ...stored, title: 'Two  spaces stay' }).title).toBe('Two  spaces stay');
  });
});

describe('campaign create (admin CLI)', () => {
  it('refuses a title that is not one line, before touching any data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appeal-cli-'));
    try {
      const args = ['--data-dir', dataDir, 'campaign', 'create', '--id', 'spring', '--title', 'Spring\r\nBcc: someone@example.org', '--goal', '1000', '--currency', 'usd'];
      const refused = await runAdmin(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('A campaign title must be one line: no line breaks or other control characters.');
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a currency checkout does not accept, before touching any data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appeal-cli-'));
    try {
      const args = ['--data-dir', dataDir, 'campaign', 'create', '--id', 'maple', '--title', 'T', '--goal', '1000', '--currency', 'cad'];
      const refused = await runAdmin(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('error: CAD is not an accepted currency (accepted: USD, EUR, GBP)');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('the appeal settings of a campaign', () => {
  it('keeps its default frequency, monthly ask, thank and snooze days', async () => {
    const d = deps();
    const upsell = [{ amount: 1000, monthly: 500 }, { amount: 2500, monthly: 800 }];
    await saveCampaign(d, campaignSettings({ defaultFrequency: 'monthly', upsell, thankDays: 30, snoozeDays: 7 }));
    expect(await d.campaigns.getSettings('ukraine')).toMatchObject({ defaultFrequency: 'monthly', upsell, thankDays: 30, snoozeDays: 7 });
  });

  it('refuses a monthly ask the campaign could not take, saying which step', async () => {
    const d = deps();
    const saving = saveCampaign(d, campaignSettings({ minAmount: 100, maxAmount: 10_000, upsell: [{ amount: 1000, monthly: 50 }] }));
    await expect(saving).rejects.toMatchObject({ code: 'invalid_field', field: 'upsell', message: "The monthly amount 50 offered from 1000 is outside the campaign's minimum and maximum gift." });
    expect(d.campaigns.items.size).toBe(0);
  });

  it('refuses steps out of order or given twice, and days beyond ten years', async () => {
    const d = deps();
    for (const upsell of [[{ amount: 2500, monthly: 800 }, { amount: 1000, monthly: 500 }], [{ amount: 1000, monthly: 500 }, { amount: 1000, monthly: 800 }]]) {
      await expect(saveCampaign(d, campaignSettings({ upsell }))).rejects.toMatchObject({ code: 'invalid_field', field: 'upsell' });
    }
    await expect(saveCampaign(d, campaignSettings({ thankDays: 3651 }))).rejects.toMatchObject({ field: 'thankDays' });
    await expect(saveCampaign(d, campaignSettings({ snoozeDays: -1 }))).rejects.toMatchObject({ field: 'snoozeDays' });
  });
});

describe('campaign create (admin CLI): the appeal flags', () => {
  it.each([
    [['--upsell', '1000-500'], 'upsell step "1000-500" must be AMOUNT:MONTHLY in minor units'],
    [['--upsell', '2500:800,1000:500'], 'Upsell amounts must be given once each, smallest first.'],
    [['--default-frequency', 'weekly'], "--default-frequency"],
    [['--thank-days', '4000'], 'thank-days must be a whole number of days from 0 to 3650.'],
  ])('refuses %j before touching any data', async (flags, message) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appeal-cli-'));
    try {
      const result = await runAdmin(['--data-dir', dataDir, 'campaign', 'create', '--id', 'spring', '--title', 'Spring', '--goal', '100', '--currency', 'usd', ...flags]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(message);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
