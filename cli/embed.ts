import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { CampaignId } from '../functions/core/donations/model.js';
import { isLanguage, LANGUAGES } from '../functions/core/shared/i18n/index.js';
import { safeParse } from '../functions/core/shared/schema.js';
import { ListId } from '../functions/core/subscriptions/model.js';
import { loadStageConfig } from '../infra/config.js';
import { DEMO_SITE_NAME } from '../local/server/dev-config.js';
import { fetchEmbedSnippet, snippetText, THEMES, type Theme } from '../web/embed/snippet.js';
import type { Target } from './target.js';

export interface EmbedCommandOptions {
  campaign?: string;
  list?: string;
  lang?: string;
  theme?: Theme;
  siteName?: string;
  api?: string;
}

/**
 * `admin embed`: the HTML a site adds to its pages to embed Appeal (web/embed/snippet.ts), for the target's API.
 * The integrity hash is taken from the script that API serves now, and the banner's HTML without JavaScript from
 * its campaign, so the snippet matches what is deployed: run it again after a deploy that changes the widget.
 */
export const addEmbedCommand = (program: Command, target: () => Promise<Target>) =>
  program
    .command('embed')
    .description(
      "print the HTML that embeds Appeal in the site's pages: the script tag (with its integrity hash) and placeholders for the donation banner and the signup form, which work without JavaScript",
    )
    .option('--campaign <id>', "the donation banner's campaign")
    .option('--list <id>', "the signup form's mailing list")
    .addOption(
      new Option('--lang <code>', "the widgets' language (default: each reader's browser language, and English without JavaScript)").choices(LANGUAGES),
    )
    .addOption(new Option('--theme <name>', "light (default), dark, or auto (the reader's setting); colours, font and radius are CSS custom properties").choices(THEMES))
    .option('--site-name <name>', "the publication's name in the wording (default: the stage's siteName, or the dev server's SITE_NAME)")
    .option('--api <url>', "the API's base URL (default: the stage's public API URL, or the running dev server's)")
    .action(async (o: EmbedCommandOptions) => {
      if (!o.campaign && !o.list) program.error('error: say what to embed: --campaign <id> (the banner), --list <id> (the signup form), or both');
      const campaign = o.campaign === undefined ? undefined : safeParse(CampaignId, o.campaign);
      if (campaign && !campaign.success) program.error(`error: --campaign: ${campaign.error.issues[0]?.message ?? 'not a campaign id'}`);
      const list = o.list === undefined ? undefined : safeParse(ListId, o.list);
      if (list && !list.success) program.error(`error: --list: ${list.error.issues[0]?.message ?? 'not a list id'}`);
      const stage = program.opts<{ stage?: string }>().stage;
      const stageFile = stage && fileURLToPath(new URL(`../infra/stages/${stage}.json`, import.meta.url));
      const siteName =
        o.siteName ?? (stageFile && existsSync(stageFile) ? loadStageConfig(stageFile).siteName : stage ? undefined : (process.env.SITE_NAME ?? DEMO_SITE_NAME));
      if (!siteName) program.error(`error: no infra/stages/${stage}.json to take the site's name from: pass --site-name`);
      const api = (o.api ?? (await apiOf(target)))?.replace(/\/+$/, '');
      if (!api) program.error('error: the dev server is not running (start it with npm start), or pass --api <url>');
      const snippet = await fetchEmbedSnippet({
        api,
        campaign: campaign?.data,
        list: list?.data,
        language: isLanguage(o.lang) ? o.lang : undefined,
        theme: o.theme,
        siteName,
      });
      process.stdout.write(snippetText(snippet));
    });

const apiOf = async (target: () => Promise<Target>) => {
  const t = await target();
  try {
    return t.apiUrl;
  } finally {
    await t.close();
  }
};
