import * as z from 'zod/mini';
import { blankAsAbsent, onFirstUse } from '../shared/schema.js';
import { hasControlCharacters } from '../shared/email-address.js';
import { LanguageCode } from './status.js';

/*
 * The fields a signup request and the configuration name (a reader's name, language, a list), apart from the
 * subscriber's stored model (model.ts, which re-exports them): the signup reads these at every cold start, the
 * stored model only when a subscriber is read or written.
 */

export const NAME_MAX_LENGTH = 100;

/**
 * A reader's name as we store, greet with and export it: one line, no control characters (C0, C1, U+2028,
 * U+2029), at most 100 characters. The one rule for every path a name comes in by. The signup form refuses a
 * name that breaks it (the reader can fix it); a name from elsewhere is fitted to it with toPersonName.
 */
export const PersonName = /* @__PURE__ */ onFirstUse(() => z
  .string()
  .check(
    z.trim(),
    z.maxLength(NAME_MAX_LENGTH, `At most ${NAME_MAX_LENGTH} characters.`),
    z.refine((s) => !hasControlCharacters(s), 'Control characters are not allowed.'),
  ));

/**
 * Fits a name nobody can correct any more (a donor's name from the payment provider, a queued job) to
 * PersonName instead of refusing it, which would lose the signup: every run of control characters and line
 * breaks becomes one space, the ends are trimmed, and it is cut to 100 characters. Empty → undefined.
 */
export const toPersonName = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  let out = '';
  for (const char of raw) out += hasControlCharacters(char) ? ' ' : char;
  const fitted = Array.from(out.replace(/\s+/g, ' ').trim()).slice(0, NAME_MAX_LENGTH).join('').trim();
  return fitted === '' ? undefined : fitted;
};


/**
 * `lang` as a request sends it (a form, a JSON body, a link): one of ours by its tag or a regional one ("uk",
 * "uk-UA"); blank is absent (a site's own form with an empty field); any other is refused (400 `invalid_field`).
 */
export const RequestedLanguage = /* @__PURE__ */ onFirstUse(() => blankAsAbsent(
  z.pipe(
    z.string().check(z.maxLength(35)),
    z.pipe(
      z.transform((tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0]),
      LanguageCode,
    ),
  ),
));

/** A mailing list's id, as configured and as sent by the signup form. */
export const ListId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'Lowercase letters, digits and dashes.')));
