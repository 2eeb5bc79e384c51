/**
 * The functions validate with zod's small build, `zod/mini` (functions, not methods, so that a bundle keeps only
 * the validators it uses). Each module imports it directly (`import * as z from 'zod/mini'`): re-exporting the
 * namespace from here would defeat esbuild's tree shaking and bundle all of zod.
 *
 * Every parse goes through `parse` or `safeParse` below, which word zod's messages (`plainMessage`) for that parse:
 * nothing is configured globally, so no module has to be imported for its side effects, and a parse elsewhere
 * (zod/mini alone says only "Invalid input") is caught by tests/unit/core/shared/schema.test.ts. Tools and tests
 * that never ship in a Lambda bundle may use `zod` itself: both builds share one core, and every parser here takes
 * either.
 */
import * as z from 'zod/mini';

const UNITS: Record<string, readonly [string, string]> = { string: ['character', 'characters'], array: ['item', 'items'] };
const count = (n: number | bigint, origin: string | undefined) => {
  const unit = origin ? UNITS[origin] : undefined;
  return unit ? `${n} ${Number(n) === 1 ? unit[0] : unit[1]}` : String(n);
};
const TYPE_NAMES: Record<string, string> = { number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false', array: 'a list', object: 'an object' };

/**
 * The message of every problem a schema does not word itself, in plain sentences like the API's own ("At most 64
 * characters."): zod/mini alone says only "Invalid input", and zod's English catalogue speaks of types ("Too big:
 * expected string to have <=64 characters").
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

/** Any zod schema of either build, by the type it parses to. */
export type Schema<T = unknown> = z.core.$ZodType<T>;

const WORDED = { error: plainMessage } as const;

/** zod's `parse` with our wording: the value as the schema outputs it, or a ZodError with plain messages. */
export const parse = <S extends Schema>(schema: S, value: unknown): z.output<S> => z.parse(schema, value, WORDED);

/** zod's `safeParse` with our wording: `{ success, data }` or `{ success: false, error }` with plain messages. */
export const safeParse = <S extends Schema>(schema: S, value: unknown) => z.safeParse(schema, value, WORDED);

/**
 * A module-level schema built the first time something uses it (a parse, or a schema built from it), not when its
 * module loads. A function's bundle holds the schemas of every route and item it may meet, hundreds of zod
 * objects, and building them all cost a few milliseconds of every cold start (`npm run bench:bundles`), most for
 * schemas that cold start never uses. The value stands in for the schema everywhere: every property read, the
 * checks zod makes (`instanceof` reads `_zod`), its prototype and its keys come from the schema, built once.
 * A function's configuration and the pieces it is made of are wrapped too: each is shared by several
 * functions' modules, and a function builds only the ones its own configuration uses.
 *
 * Each module-level use is marked `/* @__PURE__ *\/`: building nothing when it is called, it has no side effect, and
 * the mark lets esbuild drop a schema no code of the function reads, with what only it imports (a module's other
 * schemas no longer keep it whole in every bundle that needs one of them). tests/unit/core/shared/schema.test.ts
 * finds a use without it.
 */
export const onFirstUse = <T extends object>(build: () => T): T => {
  let built: T | undefined;
  const schema = () => {
    built ??= build();
    return built;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key, schema()),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    // Reported configurable, as the proxy's own (empty) target requires of a property it does not have.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
};

/** What a `fromText` reader returns for text it refuses: the problem, worded for the person who wrote the text. */
export class Refusal {
  constructor(readonly problem: string) {}
}

/** Any text: one schema (zod's are immutable), shared by every `fromText`. */
const TEXT = /* @__PURE__ */ onFirstUse(() => z.string());

/**
 * A value read from text by `read`, which returns it, or a `Refusal` saying what is wrong with the text: the parse
 * then fails with that problem. One kind of schema (a string, then a transform) for what zod's own checks do not
 * say, and for a function's configuration, which every cold start parses before anything else uses zod: zod pays
 * for each kind of schema the first time a process uses it (functions/platform/config.ts).
 */
export const fromText = <T>(read: (text: string) => T | Refusal) =>
  z.pipe(
    TEXT,
    z.transform((text: string, ctx) => {
      const value = read(text);
      if (!(value instanceof Refusal)) return value;
      ctx.issues.push({ code: 'custom', input: text, message: value.problem });
      return z.NEVER;
    }),
  );

/**
 * A whole number from `min` to `max`, written in decimal digits (an environment variable, a query parameter): text
 * that `Number()` would also take (` 7`, `7.0`, `1e3`, `0x10`, a blank) is refused.
 */
export const wholeNumber = (
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  problem = max === Number.MAX_SAFE_INTEGER ? `A whole number, at least ${min}.` : `A whole number from ${min} to ${max}.`,
) => {
  const expected = new Refusal(problem);
  return fromText((text) => (/^\d{1,16}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : expected));
};

/** A non-empty string: one schema, shared (zod's schemas are immutable), built once where it is first used. */
const NON_EMPTY = /* @__PURE__ */ onFirstUse(() => z.string().check(z.minLength(1)));
export const nonEmpty = () => NON_EMPTY;

/** Blank (an unset variable written as '') is absent. */
export const blankAsAbsent = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

/** A moment as the product writes it, `Date#toISOString()`: UTC, to the millisecond (or finer). */
export const instant = () =>
  z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?Z$/, 'Not an ISO 8601 time in UTC.'));

/** An absolute http(s) URL: one schema, shared, built once where it is first used. */
const HTTP_URL = /* @__PURE__ */ onFirstUse(() => z.url({ protocol: /^https?$/, error: 'Not an absolute http(s) URL.' }));
export const httpUrl = () => HTTP_URL;

