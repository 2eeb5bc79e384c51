import type { StageConfig } from '../config.js';

/**
 * The site's look on the hosted pages and emails, so that they read as the publication's own; every page links
 * home, to the first origin by default.
 */
export const brandEnvironment = (config: StageConfig) => ({
  SITE_NAME: config.siteName,
  SITE_URL: config.siteUrl ?? new URL(config.siteOrigins[0] ?? '').href,
  SITE_LOGO_URL: config.siteLogoUrl,
  SITE_BRAND_COLOR: config.brandColor,
  SITE_ACCENT_COLOR: config.accentColor,
  SITE_LANGUAGE: config.language,
});

/** The brand, and the API's public URL, which the pages and emails link back to (confirm, unsubscribe, donate). */
export const siteEnvironment = (config: StageConfig, publicApiUrl: string) => ({ ...brandEnvironment(config), PUBLIC_API_URL: publicApiUrl });

/** What every function that renders a page or an email is told about the site. */
export type SiteEnvironment = ReturnType<typeof siteEnvironment>;
