import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isLanguage, type Language } from '../../functions/core/shared/i18n/index.js';
import { fetchEmbedSnippet, type Snippet } from '../../web/embed/snippet.js';
import { listen } from '../server/http-server.js';
import type { InFlight } from '../server/in-flight.js';

// The demo site: the news article on an origin of its own (the dev server's second port), embedding Appeal from the
// API's origin exactly as a newsroom does, with the snippet `npm run admin -- embed` prints. So the banner and the
// form work cross-origin here (CORS, the integrity check), as they must on a real site. `/?lang=uk` is the article as
// a Ukrainian newsroom embeds it (`admin embed --lang uk`); `/` leaves the language to each reader's browser.

export interface DemoSiteOptions {
  /** The web/ folder: article.html (with the snippet's places marked) and its assets. */
  web: string;
  /** The API's base URL (the other origin). */
  api: string;
  siteName: string;
  campaign: string;
  /** The signup form's list (null: the default list). */
  list: string | null;
  /** Serves /assets/* (shared with the API's port, where the outbox uses them too). */
  serveAsset: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The newsroom's own tools' stand-ins on this port (any method): false for a request that is not theirs. */
  tools?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/** Where article.html wants each part of the snippet. */
const MARKS = { script: '<!--appeal:script-->', banner: '<!--appeal:banner-->', signup: '<!--appeal:signup-->' } as const;

/** The article (web/article.html) with a snippet pasted where it marks the script, the banner and the form. */
export const articleWith = (template: string, snippet: Snippet): string =>
  template
    .replace(MARKS.script, snippet.style ? `${snippet.style}\n${snippet.script}` : snippet.script)
    .replace(MARKS.banner, snippet.banner ?? '')
    .replace(MARKS.signup, snippet.signup ?? '');

export const demoSite = (o: DemoSiteOptions) => {
  // Made once per language, from what the API serves (its script's hash, the campaign), and kept: a newsroom pastes
  // it once too.
  const snippets = new Map<Language | undefined, Promise<Snippet>>();
  const snippetOnce = (language: Language | undefined) => {
    let snippet = snippets.get(language);
    if (!snippet) {
      snippet = fetchEmbedSnippet({ api: o.api, campaign: o.campaign, list: o.list, language, siteName: o.siteName }).catch((error: unknown) => {
        snippets.delete(language);
        throw error;
      });
      snippets.set(language, snippet);
    }
    return snippet;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (o.tools && (await o.tools(req, res))) return;
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://local');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed');
      return;
    }
    if (pathname === '/' || pathname === '/index.html') {
      const lang = searchParams.get('lang');
      const [template, snippet] = await Promise.all([readFile(join(o.web, 'article.html'), 'utf8'), snippetOnce(isLanguage(lang) ? lang : undefined)]);
      const page = articleWith(template, snippet);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    if (pathname.startsWith('/assets/') && (await o.serveAsset(req, res))) return;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
  };
};

/** The demo site on its own port (another origin than the API's); each request is tracked in `requests`, so that closing waits for it. */
export const serveDemoSite = async (port: number, options: DemoSiteOptions, requests: InFlight) => {
  const site = createServer();
  const serveSite = demoSite(options);
  site.on('request', (req, res) => {
    const handled = serveSite(req, res).catch((error: unknown) => {
      console.error('[appeal] demo site request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The demo site could not build its page: is the API answering?');
    });
    requests.track(handled);
  });
  await listen(site, port, '127.0.0.1');
  return site;
};
