import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { fromText, httpUrl, instant, nonEmpty, parse, Refusal, safeParse, wholeNumber } from '../../../../functions/core/shared/schema.js';

const messageOf = (schema: z.core.$ZodType, value: unknown) => {
  const result = safeParse(schema, value);
  expect(result.success).toBe(false);
  return result.error?.issues[0]?.message;
};

describe('zod/mini with our wording', () => {
  it('words the problems a schema does not word itself as plain sentences', () => {
    expect(messageOf(z.object({ name: z.string() }), {})).toBe('Required.');
    expect(messageOf(z.string(), 12)).toBe('Expected text.');
    expect(messageOf(z.int(), 1.5)).toBe('Expected a whole number.');
    expect(messageOf(z.int(), 'x')).toBe('Expected a number.');
    expect(messageOf(z.string().check(z.maxLength(64)), 'x'.repeat(65))).toBe('At most 64 characters.');
    expect(messageOf(nonEmpty(), '')).toBe('At least 1 character.');
    expect(messageOf(z.array(z.string()).check(z.maxLength(2)), ['a', 'b', 'c'])).toBe('At most 2 items.');
    expect(messageOf(z.int().check(z.positive()), 0)).toBe('More than 0.');
    expect(messageOf(z.int().check(z.gte(1), z.lte(99)), 0)).toBe('At least 1.');
    expect(messageOf(z.int().check(z.gte(1), z.lte(99)), 100)).toBe('At most 99.');
    expect(safeParse(z.int().check(z.gte(0), z.lte(60)), 60).success).toBe(true);
    expect(messageOf(z.pipe(z.coerce.number(), z.int()), 'ten')).toBe('Expected a number.');
    expect(messageOf(z.enum(['once', 'monthly']), 'weekly')).toBe('Must be one of: once, monthly.');
    expect(messageOf(z.literal('One-Click'), 'Two')).toBe('Must be "One-Click".');
    expect(messageOf(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toBe('Unexpected field.');
    expect(messageOf(z.string().check(z.regex(/^[a-z]+$/)), 'A')).toBe('Not in the expected format.');
  });

  it('reads a whole number from its decimal digits only, within its bounds', () => {
    const limit = wholeNumber(1, 1000);
    expect(safeParse(limit, '12')).toMatchObject({ success: true, data: 12 });
    expect(safeParse(limit, '1000')).toMatchObject({ success: true, data: 1000 });
    // Text Number() takes and a person would not write for a count: refused, as are the bounds' outsides.
    for (const text of [' 7 ', '', '1e3', '0x10', '7.0', '-1', 'ten', '0', '1001']) expect(messageOf(limit, text), text).toBe('A whole number from 1 to 1000.');
    expect(messageOf(limit, 12)).toBe('Expected text.');
  });

  it('keeps a message a schema words itself', () => {
    expect(messageOf(z.string().check(z.maxLength(3, 'Too long for a code.')), 'abcd')).toBe('Too long for a code.');
  });

  it('words what parse throws as safeParse does, and leaves zod untouched for anyone else', () => {
    expect(() => parse(z.object({ id: z.string() }), {})).toThrow('Required.');
    expect(z.safeParse(z.string(), 12).error?.issues[0]?.message).not.toBe('Expected text.');
  });

  it('is how every module under functions/ parses: no parse there goes without our wording', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
      });
    // zod's own entry points, as a function (`z.parse(s, v)`) or a method (`Schema.safeParse(v)`): not JSON.parse.
    const direct = /(?<!JSON|Date|Number|\bqs)\.(parse|safeParse|parseAsync|safeParseAsync)\(/;
    const offenders = sources('functions')
      .filter((file) => !file.endsWith(join('core', 'shared', 'schema.ts')))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (direct.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    expect(offenders).toEqual([]);
  });

  it('marks every module-level onFirstUse pure, so a bundle drops the schemas its function never reads', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
      });
    const uses = sources('functions').flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (/^(export )?const \w+ = .*\bonFirstUse\(/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(uses.length).toBeGreaterThan(100);
    expect(uses.filter((use) => !use.includes('= /* @__PURE__ */ onFirstUse('))).toEqual([]);
  });

  it('reads a stored instant as Date#toISOString writes it, and nothing looser', () => {
    const now = new Date('2026-11-25T19:40:00.123Z').toISOString();
    expect(safeParse(instant(), now).success).toBe(true);
    expect(safeParse(instant(), '2026-11-25T19:40:00Z').success).toBe(true);
    for (const bad of ['2026-11-25', '2026-11-25T19:40:00+01:00', '2026-13-01T00:00:00Z', '2026-11-25T24:00:00Z', 'yesterday']) {
      expect(messageOf(instant(), bad)).toBe('Not an ISO 8601 time in UTC.');
    }
  });

  it('takes absolute http(s) URLs only', () => {
    expect(safeParse(httpUrl(), 'https://api.example.org/v1').success).toBe(true);
    expect(safeParse(httpUrl(), 'http://127.0.0.1:3000').success).toBe(true);
    for (const bad of ['ftp://example.org', '/v1/donate', 'https://', 'example.org']) {
      expect(messageOf(httpUrl(), bad)).toBe('Not an absolute http(s) URL.');
    }
  });

  it('reads a value from text, or fails with the refusal its reader gives, at the field it is in', () => {
    const even = fromText((text) => (/^\d+$/.test(text) && Number(text) % 2 === 0 ? Number(text) : new Refusal(`${text} is not an even number.`)));
    expect(parse(even, '42')).toBe(42);
    expect(messageOf(even, '7')).toBe('7 is not an even number.');
    // Not text at all: the string's own problem, before the reader is asked.
    expect(messageOf(even, undefined)).toBe('Required.');
    const result = safeParse(z.object({ count: even }), { count: '3' });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['count', '3 is not an even number.']]);
    // A reader may return any value, a falsy one included: only a Refusal refuses.
    expect(parse(fromText((text) => (text === 'none' ? undefined : text === 'zero' ? 0 : text)), 'zero')).toBe(0);
    expect(parse(fromText((text) => (text === 'none' ? undefined : text)), 'none')).toBeUndefined();
  });
});
