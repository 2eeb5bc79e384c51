import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { EventSelection } from './model.js';
import { EndpointSecrets } from './signing.js';

/** A newsroom's webhook endpoint: where its events go, which ones, and the secrets that sign them. */
export const WebhookEndpoint = /* @__PURE__ */ onFirstUse(() => z.extend(EndpointSecrets, {
  id: z.string().check(z.minLength(1)),
  url: z.string(),
  events: EventSelection,
  description: z.optional(z.string().check(z.maxLength(200))),
  createdAt: instant(),
  /** Set when it failed for three days without a success: nothing more is sent until an admin enables it again. */
  disabledAt: z.optional(instant()),
  /** The first failure since the last success. */
  failingSince: z.optional(instant()),
}));
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;
