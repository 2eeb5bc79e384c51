import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { messagesOf } from '../../../../functions/core/shared/i18n/catalogue.js';
import { LANGUAGES } from '../../../../functions/core/shared/i18n/index.js';
import { buildEmbedScript } from '../../../../web/embed/build.js';

// The widget as the API serves it (web/embed/ built by esbuild), checked for what the embed promises a site.
const script = buildEmbedScript();

/** Every message under `node`, plural forms one by one. */
const textsIn = (node: unknown): string[] =>
  typeof node === 'string' ? [node] : typeof node === 'object' && node !== null ? Object.values(node).flatMap(textsIn) : [];
/** A message as the minified script holds it: a string literal (esbuild writes them in double quotes). */
const literal = (text: string) => JSON.stringify(text);

describe('the embed script', () => {
  it('builds the same bytes every time (its hash is its version)', () => {
    expect(buildEmbedScript()).toBe(script);
  });

  it('is small: under 15 KB gzipped, under 40 KB as it is', () => {
    const raw = Buffer.byteLength(script);
    const gzipped = gzipSync(script, { level: 9 }).length;
    expect(gzipped).toBeLessThan(15 * 1024);
    expect(raw).toBeLessThan(40 * 1024);
  });

  it('is one self-contained script: no module syntax, no global, no loader', () => {
    expect(script).toMatch(/^\/\*! Appeal embed[^\n]*\*\/\n"use strict";\(\(\)=>\{/);
    expect(script.trimEnd()).toMatch(/\}\)\(\);$/);
    expect(script).not.toMatch(/\bimport\s*\(|\bexport\s*\{|\brequire\(/);
  });

  it('asks nothing of anyone but the API it came from (and Stripe.js, for a gift paid in the page), and keeps only times in localStorage', () => {
    expect(script.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^"]*/gi) ?? []).toEqual(['https://js.stripe.com/v3/']);
    for (const forbidden of ['document.cookie', 'sessionStorage', 'indexedDB', 'customElements', 'eval(', 'new Function', 'document.write', 'innerHTML']) {
      expect(script.includes(forbidden), forbidden).toBe(false);
    }
    // API.md: a browser that gave or closed the banner is remembered in the host page's localStorage, and views and
    // clicks go by beacon.
    expect(script).toContain('localStorage');
    expect(script).toContain('sendBeacon');
    expect(script).toContain('credentials:"omit"');
  });

  it("carries the widget's words in its four languages", () => {
    for (const words of ['Join the {site} mailing list', 'Підпишіться на розсилку {site}', 'Zapisz się na newsletter {site}', 'Suscríbete al boletín de {site}']) {
      expect(script).toContain(words);
    }
    for (const language of LANGUAGES) {
      for (const text of textsIn(messagesOf(language).widget)) expect(script, `${language}: ${text}`).toContain(literal(text));
    }
  });

  it("carries none of the pages' and emails' words, only the catalogues' widget sections", () => {
    for (const language of LANGUAGES) {
      // Its locale tags ("en", "uk") are no words: the script names its languages anyway.
      const { widget, locale: _tags, ...pagesAndEmails } = messagesOf(language);
      const widgetTexts = new Set(textsIn(widget));
      const others = textsIn(pagesAndEmails).filter((text) => !widgetTexts.has(text));
      expect(others.length).toBeGreaterThan(100);
      for (const text of others) expect(script.includes(literal(text)), `${language}: ${text}`).toBe(false);
    }
  });
});
