import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { messagesOf } from '../../../../functions/core/shared/i18n/catalogue.js';
import { LANGUAGES } from '../../../../functions/core/shared/i18n/index.js';
import { messagesIdentity } from '../../../../functions/core/embed/script.js';
import { buildEmbedScript, widgetMessages } from '../../../../web/embed/build.js';

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

  it('is small: at most 12 KB gzipped (the budget), under 32 KB as it is', () => {
    const raw = Buffer.byteLength(script);
    const gzipped = gzipSync(script, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(12 * 1024);
    expect(raw).toBeLessThan(32 * 1024);
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

  it("asks for its words by the version of the catalogues' widget sections it was built with", () => {
    const { version } = messagesIdentity(widgetMessages());
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(script).toMatch(new RegExp(`/v1/embed\\.js\\?messages=\\$\\{\\w+\\}&v=${version}\``));
  });

  it('serves every language the widget speaks, each its catalogue\'s whole widget section', () => {
    const messages = widgetMessages();
    expect(Object.keys(messages)).toEqual([...LANGUAGES]);
    for (const language of LANGUAGES) expect(messages[language]).toEqual(messagesOf(language).widget);
  });

  it('carries no words of any language: not the widget\'s (fetched), not the pages\' or emails\'', () => {
    for (const language of LANGUAGES) {
      // Its locale tags ("en", "uk") are no words: the script names its languages anyway.
      const { locale: _tags, ...words } = messagesOf(language);
      // A one-word message may be a name the code uses too ("amount", a form field's): sentences are what count.
      const texts = textsIn(words).filter((text) => /\s/.test(text.trim()));
      expect(texts.length).toBeGreaterThan(100);
      for (const text of texts) expect(script.includes(literal(text)), `${language}: ${text}`).toBe(false);
    }
    for (const words of ['Join the {site} mailing list', 'Підпишіться на розсилку {site}', 'Zapisz się na newsletter {site}', 'Suscríbete al boletín de {site}']) {
      expect(script).not.toContain(words);
    }
  });
});
