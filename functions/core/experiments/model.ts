import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { CampaignId } from '../donations/campaign.js';
import { Frequency } from '../donations/frequency.js';
import { VariantId } from './attribution.js';

/** The campaign's own appeal (its title, ask and amounts): every campaign has it, and readers without JavaScript see it. */
export const CONTROL = 'control';

// Defined with the attribution, which the gift and subscriber models import (this module imports theirs).
export { VariantId } from './attribution.js';

/**
 * One version of a campaign's appeal, shown to a share of page views set by its weight (relative to the others').
 * What it leaves out is the campaign's own (the control has nothing but its weight).
 */
export const Variant = /* @__PURE__ */ onFirstUse(() => z.object({
  id: VariantId,
  /** 0: shown to nobody (an experiment that has ended keeps its other variants at 0, and their results). */
  weight: z.number().check(z.gte(0), z.lte(1000)),
  headline: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  ask: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
  amounts: z.optional(z.array(z.int().check(z.gte(100), z.lte(100_000_000))).check(z.minLength(1), z.maxLength(6))),
  frequency: z.optional(Frequency),
}));
export type Variant = z.infer<typeof Variant>;

/**
 * How page views are shared among the variants: by their set weights, or by Thompson sampling over the results
 * so far (each variant shown as often as it is likely to be the best; a variant at weight 0 stays out).
 */
export const Allocation = /* @__PURE__ */ onFirstUse(() => z.enum(['weights', 'thompson']));
export type Allocation = z.infer<typeof Allocation>;

/** A campaign's experiment: its variants, the control always among them (weight 1 unless set). */
export interface Experiment {
  campaign: string;
  variants: Variant[];
  /** When counting for this set of variants began: the results' `since`. */
  since: string;
  /** `weights` unless set. */
  allocation?: Allocation | undefined;
}

export const EventType = /* @__PURE__ */ onFirstUse(() => z.enum(['view', 'click']));
export type EventType = z.infer<typeof EventType>;

/**
 * `POST /v1/events`: what the embed sends by `navigator.sendBeacon`. Nothing else: no address, no identifier, and
 * any other field is refused (the contract's 400), so the route cannot become a channel for anything more.
 */
export const EventRequest = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  type: EventType,
  campaign: CampaignId,
  variant: VariantId,
}));
export type EventRequest = z.infer<typeof EventRequest>;

/** One counted event as it travels from the events function to the counter, with the UTC day it happened on. */
export const CountedEvent = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  type: EventType,
  campaign: CampaignId,
  variant: VariantId,
  day: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
}));
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
