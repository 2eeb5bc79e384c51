import * as z from 'zod/mini';
import { safeParse } from '../shared/schema.js';
import { Attribution } from './attribution.js';

/**
 * Stripe's metadata limits (https://docs.stripe.com/api/metadata): 50 keys, keys up to 40 characters, values up to
 * 500. The attribution takes at most 12 short keys (the page split over `src`, `src2`… in 500-character pieces);
 * the checkout's own keys leave room for more.
 */
const METADATA_VALUE_MAX = 500;
const METADATA_KEYS = {
  referrer: 'ref',
  utmSource: 'utm_s',
  utmMedium: 'utm_m',
  utmCampaign: 'utm_c',
  utmContent: 'utm_ct',
  utmTerm: 'utm_t',
  component: 'cmp',
  variant: 'var',
} as const;
const SOURCE_KEYS = ['src', 'src2', 'src3', 'src4'] as const;

/** The attribution as Checkout Session metadata. */
export const attributionMetadata = (attribution: Attribution | undefined): Record<string, string> => {
  if (!attribution) return {};
  const metadata: Record<string, string> = {};
  for (const [field, key] of Object.entries(METADATA_KEYS)) {
    const value = attribution[field as keyof typeof METADATA_KEYS];
    if (value) metadata[key] = value;
  }
  const source = attribution.source ?? '';
  SOURCE_KEYS.forEach((key, i) => {
    const piece = source.slice(i * METADATA_VALUE_MAX, (i + 1) * METADATA_VALUE_MAX);
    if (piece) metadata[key] = piece;
  });
  return metadata;
};

/** The metadata keys the attribution takes, as a schema shape: a value that is no string is no value. */
const metadataValue = () => z.catch(z.optional(z.string()), undefined);
type MetadataKey = (typeof METADATA_KEYS)[keyof typeof METADATA_KEYS] | (typeof SOURCE_KEYS)[number];
export const attributionMetadataShape = () =>
  Object.fromEntries([...Object.values(METADATA_KEYS), ...SOURCE_KEYS].map((key) => [key, metadataValue()])) as Record<
    MetadataKey,
    ReturnType<typeof metadataValue>
  >;

/**
 * The attribution back from metadata. Metadata can be edited in Stripe's dashboard, so it is checked again: a field
 * that is no longer what we wrote is dropped, not trusted.
 */
export const attributionFromMetadata = (metadata: Partial<Record<string, unknown>>): Attribution | undefined => {
  const raw: Record<string, string> = {};
  for (const [field, key] of Object.entries(METADATA_KEYS)) {
    const value = metadata[key];
    if (typeof value === 'string' && value) raw[field] = value;
  }
  const source = SOURCE_KEYS.map((key) => { const piece = metadata[key]; return typeof piece === 'string' ? piece : ''; }).join('');
  if (source) raw.source = source;
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    const one = safeParse(Attribution, { [field]: value });
    if (one.success) kept[field] = value;
  }
  return Object.keys(kept).length > 0 ? (kept as Attribution) : undefined;
};
