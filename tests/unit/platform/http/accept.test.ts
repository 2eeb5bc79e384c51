import Negotiator from 'negotiator';
import { describe, expect, it } from 'vitest';
import { prefersHtml } from '../../../../functions/platform/http/accept.js';
import { JSON_TYPE } from '../../../../functions/platform/http/media-types.js';

/** What negotiator (the well-known library) decides for the same pair, with JSON offered first. */
const negotiatorSays = (accept: string) => new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, 'text/html']) === 'text/html';

const HEADERS = [
  // Browsers navigating, and posting a plain form
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  // fetch() and curl defaults, API clients
  '*/*',
  'application/json',
  'application/json, text/plain, */*',
  'application/json;q=0.9, text/html;q=0.8',
  'text/html;q=0.5, application/json',
  'text/*',
  'text/*, application/*;q=0.5',
  'application/*',
  'text/html;level=1, application/json',
  'application/json, text/html',
  'text/html, application/json',
  'TEXT/HTML',
  'text/html;q=0',
  'text/html;q=0, */*',
  '*/*;q=0.1, text/html;q=0.1',
  'image/png',
  '',
  'garbage',
  'text/html; q=0.7, application/json; q=0.7',
  'application/json; q=0.7, text/html; q=0.7',
];

describe('prefersHtml', () => {
  it('answers as negotiator does for browsers, fetch, curl and API clients', () => {
    for (const accept of HEADERS) expect({ accept, html: prefersHtml(accept) }).toEqual({ accept, html: negotiatorSays(accept) });
  });

  it('sends browsers pages and everyone else JSON', () => {
    expect(prefersHtml(HEADERS[0])).toBe(true);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('application/json')).toBe(false);
  });
});
