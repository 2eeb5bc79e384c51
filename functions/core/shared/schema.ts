/**
 * The functions validate with zod's small build, `zod/mini` (functions, not methods, so that a bundle keeps only
 * the validators it uses: about 16 KiB against about 97 KiB for `zod` itself, and half its import time; issue 8).
 * Each module imports it directly (`import * as z from 'zod/mini'`): re-exporting the namespace from here would
 * defeat esbuild's tree shaking and bundle all of it (430 KiB). This module sets zod's English messages, the ones
 * the API's errors have always carried, and every module that defines a schema imports it. Tools and tests that
 * never ship in a Lambda bundle may use `zod` itself: both builds share one core, and every parser here takes either.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

/** Any zod schema of either build, by the type it parses to. */
export type Schema<T = unknown> = z.core.$ZodType<T>;

/** A non-empty string. */
export const nonEmpty = () => z.string().check(z.minLength(1));

/** Blank (an unset variable written as '') is absent. */
export const blankAsAbsent = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );
