import { type Brand, DEFAULT_COLORS } from '../../functions/core/shared/brand.js';

/** A site's whole brand for a page or an email under test: the default look around `siteName`, and any overrides. */
export const testBrand = (siteName = 'Example News', overrides: Partial<Brand> = {}): Brand => ({ siteName, ...DEFAULT_COLORS, ...overrides });
