import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildEmbedScript } from '../../web/embed/build.js';

// The widget as the API serves it (web/embed/ built by esbuild), checked for what the embed promises a site.
const script = buildEmbedScript();

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

  it('asks nothing of anyone but the API it came from, and keeps nothing in the browser', () => {
    expect(script.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? []).toEqual([]);
    for (const forbidden of ['document.cookie', 'localStorage', 'sessionStorage', 'indexedDB', 'customElements', 'eval(', 'new Function', 'document.write', 'innerHTML', 'sendBeacon']) {
      expect(script.includes(forbidden), forbidden).toBe(false);
    }
    expect(script).toContain('credentials:"omit"');
  });

  it("carries the widget's words in its four languages", () => {
    for (const words of ['Join the {site} mailing list', 'Підпишіться на розсилку {site}', 'Zapisz się na newsletter {site}', 'Suscríbete al boletín de {site}']) {
      expect(script).toContain(words);
    }
  });
});
