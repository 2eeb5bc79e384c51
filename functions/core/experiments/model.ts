import * as z from 'zod/mini';
import { CampaignId, Frequency } from '../donations/model.js';

/** The campaign's own appeal (its title, ask and amounts): every campaign has it, and readers without JavaScript see it. */
export const CONTROL = 'control';

export const VariantId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Lowercase letters, digits and dashes, at most 40.'));
export type VariantId = z.infer<typeof VariantId>;

/**
 * One version of a campaign's appeal, shown to a share of page views set by its weight (relative to the others').
 * What it leaves out is the campaign's own (the control has nothing but its weight).
 */
export const Variant = z.object({
  id: VariantId,
  weight: z.number().check(z.gt(0), z.lte(1000)),
  headline: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  ask: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  amounts: z.optional(z.array(z.int().check(z.gte(100), z.lte(100_000_000))).check(z.minLength(1), z.maxLength(6))),
  frequency: z.optional(Frequency),
});
export type Variant = z.infer<typeof Variant>;

/** A campaign's experiment: its variants, the control always among them (weight 1 unless set). */
export interface Experiment {
  campaign: string;
  variants: Variant[];
  /** When counting for this set of variants began: the results' `since`. */
  since: string;
}

export const EventType = z.enum(['view', 'click']);
export type EventType = z.infer<typeof EventType>;

/**
 * `POST /v1/events`: what the embed sends by `navigator.sendBeacon`. Nothing else: no address, no identifier, and
 * any other field is refused (the contract's 400), so the route cannot become a channel for anything more.
 */
export const EventRequest = z.strictObject({
  type: EventType,
  campaign: CampaignId,
  variant: VariantId,
});
export type EventRequest = z.infer<typeof EventRequest>;

/** One counted event as it travels from the events function to the counter, with the UTC day it happened on. */
export const CountedEvent = z.strictObject({
  type: EventType,
  campaign: CampaignId,
  variant: VariantId,
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
});
export type CountedEvent = z.infer<typeof CountedEvent>;

/** Counts to add for one campaign on one day: `<type>:<variant>` → how many. */
export interface CounterIncrement {
  campaign: string;
  day: string;
  counts: Record<string, number>;
}

/** Views and clicks per variant, summed over the counters. */
export type EventTotals = Record<string, { views: number; clicks: number }>;

export { CampaignId };
