import { SITE_CSS_PATH } from './stylesheet.js';

/** An origin fit for a CSP source list (scheme, host, port), or undefined. */
const originOf = (url: string) => {
  try {
    const { origin } = new URL(url);
    return /^https?:\/\/[a-z0-9.[\]:-]+$/i.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
};

export interface PagePolicyOptions {
  /** `'sha256-…'` sources of the page's inline scripts. */
  scriptHashes?: readonly string[] | undefined;
  /**
   * Where the page's forms may go, redirects included: browsers check `form-action` on the redirect after a
   * form post too, so a form answered with a 303 to Stripe Checkout or to a configured page on the site needs
   * that target listed. Default `'self'`.
   */
  formAction?: readonly string[] | undefined;
}

/**
 * The Content-Security-Policy of one of our pages, read from the page itself: its inline `<style>` elements by
 * hash (no `'unsafe-inline'`), images from our own origin and the origins of the `<img>` it names (the site's
 * logo), scripts only by hash, nothing else fetched, framed or posted elsewhere.
 */
export const pagePolicy = (body: string, options: PagePolicyOptions = {}): string => {
  // The pages' one stylesheet, from our origin; no inline style (no `<style>`, no `style` attribute) is allowed.
  const styles = body.includes(`<link rel="stylesheet" href="${SITE_CSS_PATH}">`) ? ["'self'"] : [];
  const images = new Set<string>();
  for (const m of body.matchAll(/<img [^>]*?src="([^"]+)"/g)) {
    const origin = originOf((m[1] ?? '').replace(/&amp;/g, '&'));
    if (origin) images.add(origin);
  }
  const forms = options.formAction?.length ? options.formAction : ["'self'"];
  return [
    "default-src 'none'",
    `style-src ${styles.length ? styles.join(' ') : "'none'"}`,
    `img-src 'self'${[...images].map((o) => ` ${o}`).join('')}`,
    `form-action ${forms.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...(options.scriptHashes?.length ? [`script-src ${options.scriptHashes.join(' ')}`] : []),
  ].join('; ');
};
