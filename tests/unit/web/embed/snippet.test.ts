import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addEmbedCommand } from '../../../../cli/embed.js';
import type { Target } from '../../../../cli/target.js';
import { scriptIdentity } from '../../../../functions/core/embed/script.js';
import { makeHandler } from '../../../../functions/embed/routes.js';
import { CSS } from '../../../../web/embed/styles.js';
import { EmbedSourceError, embedSnippet, fetchEmbedSnippet, type SnippetOptions } from '../../../../web/embed/snippet.js';
import { httpEvent } from '../../../support/events.js';

const API = 'https://api.example.org';
const CAMPAIGN = { id: 'ukraine', title: 'UNITED24: aid <for> "Ukraine"', currency: 'usd', suggestedAmounts: [1000, 2500] };
const base: SnippetOptions = {
  api: API,
  script: { version: '0123456789abcdef', integrity: 'sha384-abc+/=' },
  siteName: 'News & Co',
  campaign: CAMPAIGN,
  list: 'news',
};

/** The element that starts `html` (a placeholder), as attributes. */
const openingTag = (html: string) => Object.fromEntries([...(html.match(/^<div([^>]*)>/)?.[1] ?? '').matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

describe('the embed snippet', () => {
  it('pins the script to one build: its versioned URL, its integrity value, CORS without credentials, async', () => {
    expect(embedSnippet(base).script).toBe(
      '<script src="https://api.example.org/v1/embed.js?v=0123456789abcdef" integrity="sha384-abc+/=" crossorigin="anonymous" async></script>',
    );
  });

  it("puts the banner's campaign, the language, the theme and the site's name on its placeholder", () => {
    const { banner, signup } = embedSnippet({ ...base, language: 'uk', theme: 'dark' });
    expect(openingTag(banner ?? '')).toEqual({ 'data-appeal': 'banner', 'data-campaign': 'ukraine', 'data-lang': 'uk', 'data-theme': 'dark', 'data-site-name': 'News &amp; Co' });
    expect(openingTag(signup ?? '')).toEqual({ 'data-appeal': 'signup', 'data-list': 'news', 'data-lang': 'uk', 'data-theme': 'dark', 'data-site-name': 'News &amp; Co' });
    expect(openingTag(embedSnippet(base).banner ?? '')).toEqual({ 'data-appeal': 'banner', 'data-campaign': 'ukraine', 'data-site-name': 'News &amp; Co' });
  });

  it("holds the page's first paint until the banner's placeholder is all parsed: a link to its last element", () => {
    const { style, banner } = embedSnippet({ ...base, campaign: { ...CAMPAIGN, id: 'winter-2026' } });
    expect(style).toMatch(/<\/style>\n<link rel="expect" href="#appeal-banner-winter-2026-end" blocking="render">$/);
    // The last element of the placeholder's own HTML, so that nothing of it is painted before the rest has arrived.
    expect(banner).toMatch(/<span id="appeal-banner-winter-2026-end" hidden><\/span>\n<\/aside>\n<\/div>$/);
    expect(banner?.match(/ id="appeal-banner-winter-2026-end"/g)).toHaveLength(1);
  });

  it('holds a banner that works without JavaScript: a form that GETs /v1/donate, one button per amount, Other amount', () => {
    const banner = embedSnippet(base).banner ?? '';
    expect(banner).toContain('<form class="appeal-give" method="get" action="https://api.example.org/v1/donate">');
    expect(banner).toContain('<input type="hidden" name="campaign" value="ukraine">');
    expect(banner).toContain('<input type="hidden" name="currency" value="usd">');
    expect(banner).toContain('<input type="radio" name="frequency" value="once" checked> Once');
    expect(banner).toContain('<input type="radio" name="frequency" value="monthly"> Monthly');
    expect(banner).toContain('<input type="checkbox" name="subscribe" value="true"> Email me the News &amp; Co newsletter');
    expect(banner).toContain('<button type="submit" name="amount" value="1000">$10<span class="appeal-per-month"> a month</span></button>');
    expect(banner).toContain('<button type="submit" name="amount" value="2500">$25<span class="appeal-per-month"> a month</span></button>');
    expect(banner).toContain('<button type="submit" class="appeal-other">Other<span class="appeal-wide"> amount</span></button>');
    // The first submit button is the form's default (Enter on a radio): a plain one, which opens the chooser.
    expect(banner.indexOf('<button type="submit" hidden></button>')).toBeLessThan(banner.indexOf('name="amount"'));
    // Attribution: without JavaScript the reader sees the control, from the banner.
    expect(banner).toContain('<input type="hidden" name="component" value="banner">');
    expect(banner).toContain('<input type="hidden" name="variant" value="control">');
    expect(banner).toContain('<strong>UNITED24: aid &lt;for&gt; &quot;Ukraine&quot;</strong>');
    expect(banner).not.toContain('<for>');
  });

  it("reserves the banner's space for its width and language, so that nothing moves when the widget replaces it", () => {
    const style = embedSnippet({ ...base, language: 'uk' }).style ?? '';
    expect(style).toMatch(/^<style>\n\[data-appeal="banner"\]\{display:block;container-type:inline-size\}/);
    // Below the title: the widget's progress and choices (14 em wide, 17 em up to 360 px), less its bottom padding.
    expect(style).toContain('[data-appeal="banner"]>.appeal-banner>form{min-height:calc(13 * var(--appeal-font-size, 16px) - 1px)}');
    expect(style).toContain('@container (max-width:360px){[data-appeal="banner"]>.appeal-banner>form{min-height:calc(16.25 * var(--appeal-font-size, 16px) - 1px)}}');
    expect(style).not.toContain(':lang(');
    // Without data-lang each reader gets their own language: room for the longest, or for the page's language.
    const any = embedSnippet(base).style ?? '';
    expect(any).toContain('@container (max-width:560px){[data-appeal="banner"]>.appeal-banner>form{min-height:calc(17.25 * var(--appeal-font-size, 16px) - 1px)}}');
    expect(any).toContain('@container (max-width:360px){[data-appeal="banner"]:lang(en)>.appeal-banner>form{min-height:calc(13.75 * var(--appeal-font-size, 16px) - 1px)}}');
    expect(embedSnippet({ ...base, campaign: undefined }).style).toBeUndefined();
  });

  it("lays the title out as the widget does, so that a long title takes the same lines in both (the reserve is below it)", () => {
    const style = embedSnippet(base).style ?? '';
    // The widget's box (styles.ts, .appeal-banner): its padding and border around the same width.
    expect(style).toContain('[data-appeal="banner"]>.appeal-banner{display:block;box-sizing:border-box;font-family:var(--appeal-font,');
    expect(style).toContain('font-size:var(--appeal-font-size, 16px);border:1px solid var(--appeal-border,#d0d0d0);padding:1em 1.25em}');
    // Its title's type and room (.appeal-banner-title), whatever the page's own rules for that class say.
    expect(style).toContain('[data-appeal="banner"]>.appeal-banner>.appeal-banner-title{font-family:inherit;font-size:1.15em;font-weight:400;');
    expect(style).toContain('line-height:1.35;');
    expect(style).toContain('margin:0;padding:0 1.75em 0 0;');
    // The compact layout, up to 480 px, as the widget's container query has it.
    expect(style).toContain(
      '@container (max-width:480px){[data-appeal="banner"]>.appeal-banner{padding:.75em .85em}[data-appeal="banner"]>.appeal-banner>.appeal-banner-title{font-size:1em}}',
    );
    // No reserve on the whole banner any more: a title of any length adds its own lines.
    expect(style).not.toMatch(/\.appeal-banner\{[^}]*min-height/);
    // The widget's own styles, which these rules copy.
    expect(CSS).toContain('.appeal-banner{display:block;position:relative;background:var(--_bg);color:var(--_text);border:1px solid var(--_border);border-radius:var(--_radius);padding:1em 1.25em}');
    expect(CSS).toContain('.appeal-banner-title{font-size:1.15em;line-height:1.35;margin:0 0 .75em;padding-right:1.75em}');
    expect(CSS).toContain('@container (max-width:480px){\n.appeal-banner{padding:.75em .85em}\n.appeal-banner-title{font-size:1em;margin-bottom:.5em}');
    expect(CSS).toContain('font-family:var(--appeal-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);');
  });

  it('holds a signup form that works without JavaScript: it POSTs /v1/subscriptions with the list, a honeypot and the consent', () => {
    const signup = embedSnippet(base).signup ?? '';
    expect(signup).toContain('<form data-appeal-signup method="post" action="https://api.example.org/v1/subscriptions">');
    expect(signup).toContain('<input id="appeal-signup-news-email" name="email" type="email" autocomplete="email" required maxlength="254">');
    expect(signup).toContain('<label for="appeal-signup-news-email">Email address</label>');
    expect(signup).toContain('<input type="hidden" name="lists" value="news">');
    expect(signup).toContain('name="website" type="text" tabindex="-1"');
    expect(signup).toContain('By subscribing you agree to receive the News &amp; Co briefing by email.');
    expect(signup).toContain('<button type="submit" aria-describedby="appeal-signup-news-consent">Subscribe</button>');
    expect(signup).not.toContain('name="lang"');
  });

  it('words the HTML without JavaScript in the language asked for, and sends that language with the forms', () => {
    const { banner = '', signup = '' } = embedSnippet({ ...base, language: 'uk' });
    expect(banner).toContain('<input type="hidden" name="lang" value="uk">');
    expect(banner).toContain('Разово');
    expect(banner.replace(/\u00a0/g, ' ')).toContain('>10 USD<span class="appeal-per-month"> на місяць</span>');
    expect(signup).toContain('<input type="hidden" name="lang" value="uk">');
    expect(signup).toContain('Підпишіться на розсилку News &amp; Co');
    expect(signup).toContain('>Підписатися</button>');
  });

  it('leaves out what it is not asked for', () => {
    expect(embedSnippet({ ...base, campaign: undefined }).banner).toBeUndefined();
    expect(embedSnippet({ ...base, list: undefined }).signup).toBeUndefined();
  });
});

describe('the snippet from a running API', () => {
  const served = '/*! served */(()=>{const a="Дякуємо"})();\n';
  const fakeFetch = (answers: Record<string, Response | Error>) =>
    (async (url: string | URL | Request) => {
      const answer = answers[String(url).replace(API, '')];
      if (answer instanceof Error) throw answer;
      return answer ?? new Response('{}', { status: 404 });
    }) as typeof fetch;

  it('hashes the bytes the API serves and reads the campaign it holds', async () => {
    const snippet = await fetchEmbedSnippet(
      { api: API, campaign: 'ukraine', list: 'news', siteName: 'News' },
      fakeFetch({
        '/v1/embed.js': new Response(served),
        '/v1/campaigns/ukraine': Response.json({ ...CAMPAIGN, suggestedAmounts: [500, 'x', -1] }),
      }),
    );
    const integrity = `sha384-${createHash('sha384').update(served).digest('base64')}`;
    expect(snippet.script).toContain(`integrity="${integrity}"`);
    expect(snippet.script).toContain(`?v=${scriptIdentity(served).version}"`);
    expect(snippet.banner).toContain('value="500">$5<');
    expect(snippet.banner?.match(/name="amount"/g)).toHaveLength(1);
  });

  it('says what is wrong when the API cannot be reached, lacks the script, or has no such campaign', async () => {
    const script = { '/v1/embed.js': new Response(served) };
    await expect(fetchEmbedSnippet({ api: API, list: 'news', siteName: 'N' }, fakeFetch({ '/v1/embed.js': new TypeError('fetch failed') }))).rejects.toThrow(
      'could not reach the API at https://api.example.org',
    );
    await expect(fetchEmbedSnippet({ api: API, list: 'news', siteName: 'N' }, fakeFetch({}))).rejects.toThrow('answered 404 for /v1/embed.js');
    await expect(fetchEmbedSnippet({ api: API, campaign: 'nope', siteName: 'N' }, fakeFetch(script))).rejects.toThrow(
      new EmbedSourceError('there is no campaign nope (create it with: campaign create --id nope …)'),
    );
  });
});

describe('npm run admin -- embed', () => {
  // The API: the real embed handler behind a loopback server, and one campaign.
  const script = '/*! cli */(()=>{const a="Gracias"})();\n';
  const embed = makeHandler({ script, messages: {}, maxAgeSeconds: 300 });
  let server: Server;
  let api: string;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname === '/v1/embed.js') {
        const result = await embed({
          ...httpEvent({ method: 'GET', path: url.pathname, headers: { 'accept-encoding': String(req.headers['accept-encoding'] ?? '') } }),
        });
        res.writeHead(result.statusCode, result.headers);
        res.end(Buffer.from(result.body ?? '', 'base64'));
      } else if (url.pathname === '/v1/campaigns/ukraine') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(CAMPAIGN));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  /** Runs the command as the CLI does, with the dev server's target answering at `api`; its output and error. */
  const run = async (...args: string[]) => {
    const program = new Command('appeal-admin').option('--stage <name>').exitOverride();
    // The command reads only the API's URL from its target (never its tables).
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const target = async (): Promise<Target> => ({ description: 'test', dynamo, tables: { subscribers: 's', donations: 'd' }, apiUrl: api, close: async () => {} });
    let out = '';
    let err = '';
    program.configureOutput({
      writeErr: (text) => {
        err += text;
      },
      writeOut: (text) => {
        out += text;
      },
    });
    addEmbedCommand(program, target);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['embed', ...args], { from: 'user' });
    } catch {
      // exitOverride: commander's own error, already written to `err`
    } finally {
      write.mockRestore();
    }
    return { out, err };
  };

  it('prints the whole snippet, its integrity that of the script the API serves', async () => {
    const { out, err } = await run('--campaign', 'ukraine', '--list', 'news', '--site-name', 'News');
    expect(err).toBe('');
    const integrity = `sha384-${createHash('sha384').update(script).digest('base64')}`;
    expect(out).toContain(`<script src="${api}/v1/embed.js?v=${scriptIdentity(script).version}" integrity="${integrity}" crossorigin="anonymous" async></script>`);
    expect(out).toContain('<div data-appeal="banner" data-campaign="ukraine" data-site-name="News">');
    expect(out).toContain(`<form class="appeal-give" method="get" action="${api}/v1/donate">`);
    expect(out).toContain('<div data-appeal="signup" data-list="news" data-site-name="News">');
    expect(out).toContain(`<form data-appeal-signup method="post" action="${api}/v1/subscriptions">`);
    expect(out.indexOf('<script')).toBeLessThan(out.indexOf('data-appeal="banner"'));
  });

  it('takes a language and a theme, and refuses what it does not know', async () => {
    const { out } = await run('--list', 'news', '--lang', 'es', '--theme', 'auto', '--site-name', 'News');
    expect(out).toContain('<div data-appeal="signup" data-list="news" data-lang="es" data-theme="auto" data-site-name="News">');
    expect(out).toContain('Suscríbete al boletín de News');
    expect(out).not.toContain('data-appeal="banner"');
    expect((await run('--list', 'news', '--lang', 'de')).err).toContain("'de' is invalid");
    expect((await run('--site-name', 'News')).err).toContain('--campaign <id> (the banner), --list <id> (the signup form), or both');
    expect((await run('--list', 'News!')).err).toContain('--list: Lowercase letters, digits and dashes.');
  });
});
