/** The publication's look on every page and email we host: its name, a link home, its colours and logo. */
export interface Brand {
  siteName: string;
  /** The site's home page: every page and email links back to it. */
  siteUrl?: string | undefined;
  /** The site's logo (an absolute URL on the site's own server); without it, the name alone is the masthead. */
  logoUrl?: string | undefined;
  /** The masthead's background, `#rrggbb`. */
  color: string;
  /** Buttons, the masthead's rule and other highlights, `#rrggbb`. */
  accent: string;
  /** The icon our pages name (`…/favicon.ico` of the API); without it, browsers ask for `/favicon.ico` themselves. */
  iconUrl?: string | undefined;
  /**
   * The language of the page or email (one of i18n's LANGUAGES): the reader's, chosen per request or stored with a
   * subscriber; without it, English. The site's default language when it comes from configuration.
   */
  lang?: string | undefined;
}

/** The demo publication's scheme (GlobalSecurity.org: dark navy and red), also the default of every deployment. */
export const DEFAULT_COLORS = { color: '#13294b', accent: '#b22234' } as const;

/** The default look around a bare site name, for a caller that knows no more (a handler given no brand, a test). */
export const defaultBrand = (siteName: string): Brand => ({ siteName, ...DEFAULT_COLORS });

const HEX = /^#[0-9a-f]{6}$/i;

/** The brand with colours fit for a stylesheet: anything but #rrggbb (the config schema allows nothing else) is the default. */
export const toBrand = (site: Brand): Brand => {
  return { ...site, color: HEX.test(site.color) ? site.color : DEFAULT_COLORS.color, accent: HEX.test(site.accent) ? site.accent : DEFAULT_COLORS.accent };
};

/** Where the API serves its icon (the catch-all function draws it: see core/shared/favicon.ts). */
export const FAVICON_PATH = '/favicon.ico';
