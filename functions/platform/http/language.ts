import { type Brand, toBrand } from '../../core/shared/brand.js';
import { type Language, pickLanguage } from '../../core/shared/i18n/index.js';
import type { HttpRequest } from './request.js';

/**
 * The language to answer a reader in: `requested` (a form's `lang`), else `lang` in the query (our links and the
 * embed's fallback carry it), else the first of the browser's Accept-Language we speak, else the site's own.
 */
export const readerLanguage = (req: HttpRequest | undefined, site: Brand, requested?: string | undefined): Language => {
  return pickLanguage(requested ?? req?.query.get('lang'), req?.headers['accept-language'], site.lang);
};

/** The site as this request's reader sees it: its brand, in the reader's language (readerLanguage). */
export const siteFor = (req: HttpRequest | undefined, site: Brand, requested?: string | undefined): Brand => ({
  ...toBrand(site),
  lang: readerLanguage(req, site, requested),
});
