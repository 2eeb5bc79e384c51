import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';

/** A form's text field, at most `max` characters. */
export const text = (max: number) => z.string().check(z.maxLength(max));
/** A form's text field that may be left out. */
export const field = (max: number) => z.optional(text(max));

/** A passkey's answer, posted by the sign-in page and by the account page. */
export const PasskeyForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: z.optional(text(100)), state: text(2000), response: text(12_000) }));
