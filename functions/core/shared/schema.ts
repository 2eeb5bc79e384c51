/**
 * The functions validate with zod's small build, `zod/mini` (functions, not methods, so that a bundle keeps only
 * the validators it uses: about 16 KiB against about 97 KiB for `zod` itself, and half its import time).
 * Each module imports it directly (`import * as z from 'zod/mini'`): re-exporting the namespace from here would
 * defeat esbuild's tree shaking and bundle all of it (430 KiB). This module words zod's messages (`plainMessage`),
 * and every module that defines a schema imports it. Tools and tests that
 * never ship in a Lambda bundle may use `zod` itself: both builds share one core, and every parser here takes either.
 */
import * as z from 'zod/mini';

const UNITS: Record<string, readonly [string, string]> = { string: ['character', 'characters'], array: ['item', 'items'] };
const count = (n: number | bigint, origin: string | undefined) => {
  const unit = origin ? UNITS[origin] : undefined;
  return unit ? `${n} ${Number(n) === 1 ? unit[0] : unit[1]}` : String(n);
};
const TYPE_NAMES: Record<string, string> = { number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'an object' };

/**
 * The message of every problem a schema does not word itself, in plain sentences like the API's own ("At most 64
 * characters."): zod/mini alone says only "Invalid input", and zod's English catalogue (2.7 KiB in every bundle)
 * speaks of types ("Too big: expected string to have <=64 characters").
 */
export const plainMessage = (issue: z.core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Required.' : `Expected ${TYPE_NAMES[issue.expected] ?? issue.expected}.`;
    case 'invalid_value':
      return issue.values.length === 1 ? `Must be ${JSON.stringify(issue.values[0])}.` : `Must be one of: ${issue.values.map(String).join(', ')}.`;
    case 'too_big':
      return `${issue.inclusive === false ? 'Less than' : 'At most'} ${count(issue.maximum, issue.origin)}.`;
    case 'too_small':
      return `${issue.inclusive === false ? 'More than' : 'At least'} ${count(issue.minimum, issue.origin)}.`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'Not in the expected format.' : `Not a valid ${issue.format}.`;
    case 'unrecognized_keys':
      return 'Unexpected field.';
    default:
      return 'Invalid input.';
  }
};

z.config({ localeError: plainMessage });

/** Any zod schema of either build, by the type it parses to. */
export type Schema<T = unknown> = z.core.$ZodType<T>;

/**
 * A whole number (a safe integer): a number that is not whole is "Expected a whole number.", as with zod's `z.int()`
 * (anything else, "Expected a number."). Not zod's own: its number formats (int32, float64… with their ranges) cost
 * 1.3 KiB of every bundle for this one check.
 */
export const int = () => z.number().check(z.refine(Number.isSafeInteger, 'Expected a whole number.'));

/**
 * Bounds of a number, worded as zod's own checks are ("At least 0.", "More than 0.", "At most 60."). Not zod's
 * `z.gte`, `z.positive`…: their comparison checks cost 0.9 KiB of every bundle.
 */
export const atLeast = (min: number) => z.refine<number>((n) => n >= min, `At least ${min}.`);
export const moreThan = (min: number) => z.refine<number>((n) => n > min, `More than ${min}.`);
export const atMost = (max: number) => z.refine<number>((n) => n <= max, `At most ${max}.`);

/** A non-empty string. */
export const nonEmpty = () => z.string().check(z.minLength(1));

/** Blank (an unset variable written as '') is absent. */
export const blankAsAbsent = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

/** A moment as the product writes it, `Date#toISOString()`: UTC, to the millisecond (or finer). */
export const instant = () =>
  z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z$/, 'Not an ISO 8601 time in UTC.'));

/** An absolute http(s) URL (zod's own URL type costs 2 KiB of bundle for the same check). */
export const httpUrl = () =>
  z.string().check(z.refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'Not an absolute http(s) URL.'));
