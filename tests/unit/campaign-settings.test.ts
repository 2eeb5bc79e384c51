import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCampaign } from '../../functions/core/donations/checkout.js';
import { CampaignCurrencyLockedError } from '../../functions/core/donations/model.js';
import { ValidationError } from '../../functions/core/shared/errors.js';
import { runAdmin } from '../support/cli.js';
import { campaignSettings, MemoryCampaigns } from '../support/donation-fakes.js';
import { FakeClock } from '../support/fakes.js';

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

describe('campaign create (admin CLI)', () => {
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
