import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { inLanguage } from '../shared/i18n/index.js';
import type { Clock } from '../shared/ports.js';
import { type Keys, makeManageToken, readManageToken } from '../shared/secrets.js';
import type { Payments } from './ports.js';

/**
 * How long a manage link works: a year of monthly receipts and a month's grace. Every monthly receipt carries a
 * fresh link, so a donor who is still giving always holds a live one; a link in old or forwarded mail stops
 * opening the donor's billing details.
 */
export const MANAGE_LINK_TTL_DAYS = 400;

/** `GET /v1/donations/manage?token=T`. */
export const ManageQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  token: z
    .string({
      // A token given twice is read as a list (TokenQuery): say so.
      error: (issue) =>
        Array.isArray(issue.input)
          ? 'This link is not valid: it has more than one token.'
          : 'This link is not valid: it has no token. It may have been copied incompletely.',
    })
    .check(z.maxLength(2048)),
}));

/**
 * A link of ours to a donor's next page, in their language when it is known (`lang=xx`, see inLanguage), English
 * included: a site whose own language is another, or a browser that prefers one, must not override the donor's
 * choice. Without a language (a gift whose checkout named none) the link is left as it is.
 */
export const inDonorLanguage = inLanguage;

/**
 * The link that opens a monthly donor's Stripe Customer Portal, signed for that customer: in every monthly receipt
 * and on the monthly thank-you page. With the donor's language (when known), its pages speak it.
 */
export const manageLink = (deps: { keys: Pick<Keys, 'token'>; clock: Clock }, apiBaseUrl: string, customer: string, lang?: string): string => {
  const expiresAt = new Date(deps.clock.now().getTime() + MANAGE_LINK_TTL_DAYS * 86_400_000);
  const token = makeManageToken(deps.keys.token, { customer, expiresAt });
  return inDonorLanguage(`${apiBaseUrl}/v1/donations/manage?${new URLSearchParams({ token })}`, lang);
};

export interface ManageDeps {
  clock: Clock;
  keys: Pick<Keys, 'token'>;
  payments: Pick<Payments, 'createPortalSession'>;
  settings: {
    apiBaseUrl: string;
    /** Where the portal's way back leads; the built-in donation page when unset. */
    manageReturnUrl?: string | undefined;
  };
}

/**
 * Follows a manage link: reads the signed token (InvalidTokenError when forged, truncated or expired) and opens a
 * Customer Portal session for its customer, answering the portal URL. Portal sessions are short-lived, so each
 * visit makes its own (a link in an email could not hold one). Throws NotFoundError when Stripe no longer knows
 * the customer. The built-in way back speaks `lang` (the link's) when it is one of ours.
 */
export const openDonorPortal = async (deps: ManageDeps, token: string, lang?: string): Promise<string> => {
  const { customer } = readManageToken(deps.keys.token, token, deps.clock.now());
  const returnUrl = deps.settings.manageReturnUrl ?? inDonorLanguage(`${deps.settings.apiBaseUrl}/v1/donate/thanks`, lang);
  return deps.payments.createPortalSession(customer, returnUrl);
};
