import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMarker, recall } from '../../../../web/embed/memory.js';

/** A page's address and localStorage, as the embed reads them in a browser. */
const page = (search: string) => {
  const items = new Map<string, string>();
  const localStorage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
  Object.assign(globalThis, { location: { search }, window: { localStorage } });
  return items;
};

describe("the embed's memory of a gift", () => {
  beforeEach(() => page(''));
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'location');
    Reflect.deleteProperty(globalThis, 'window');
  });

  it('remembers a gift on the return from Checkout: the appeal=thanks marker of a success page', () => {
    page('?appeal=thanks');
    expect(readMarker('ukraine')).toBe('thanks');
    expect(recall('ukraine').gave).toBeTypeOf('number');
  });

  it('remembers a gift on the return from an in-page Checkout, whose return URL the API marks with appeal_checkout', () => {
    page('?story=1&appeal_checkout=cs_test_123');
    expect(readMarker('ukraine')).toBe('thanks');
    expect(recall('ukraine').gave).toBeTypeOf('number');
  });

  it('remembers nothing on an ordinary page view', () => {
    page('?story=1');
    expect(readMarker('ukraine')).toBeNull();
    expect(recall('ukraine')).toEqual({ gave: undefined, closed: undefined });
  });
});
