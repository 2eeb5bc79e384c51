import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { hasControlCharacters } from '../shared/email-address.js';

export const TRIBUTE_NAME_MAX_LENGTH = 100;

/**
 * A gift given in honour or in memory of someone: the name as the donor wrote it, one line (it goes on the receipt
 * and in the export), at most 100 characters.
 */
export const Tribute = /* @__PURE__ */ onFirstUse(() => z.object({
  type: z.enum(['honour', 'memory'], { error: 'A tribute is "honour" or "memory".' }),
  name: z.pipe(
    z.string({ error: 'A tribute names someone.' }),
    z.pipe(
      z.transform((s: string) => s.trim()),
      z.string().check(
        z.minLength(1, 'A tribute names someone.'),
        z.maxLength(TRIBUTE_NAME_MAX_LENGTH, `A tribute name has at most ${TRIBUTE_NAME_MAX_LENGTH} characters.`),
        z.refine((s) => !hasControlCharacters(s), 'A tribute name must be one line: no line breaks or other control characters.'),
      ),
    ),
  ),
}));
export type Tribute = z.infer<typeof Tribute>;
