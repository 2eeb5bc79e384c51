import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';

/** A gift once, or every month. A module of its own: the events' bodies carry it without the rest of the donations' model. */
export const Frequency = /* @__PURE__ */ onFirstUse(() => z.enum(['once', 'monthly']));
export type Frequency = z.infer<typeof Frequency>;
