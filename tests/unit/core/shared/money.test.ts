import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { parseMajorAmount } from '../../../../functions/core/shared/money.js';

describe('parseMajorAmount', () => {
  it('reads dots as the decimal point and commas as thousands groups', () => {
    expect(parseMajorAmount('12.50', 'usd')).toBe(1250);
    expect(parseMajorAmount('25', 'usd')).toBe(2500);
    expect(parseMajorAmount('1,250', 'usd')).toBe(125_000);
    expect(parseMajorAmount('1,250.50', 'usd')).toBe(125_050);
    expect(parseMajorAmount(' 1,000,000 ', 'usd')).toBe(100_000_000);
    expect(parseMajorAmount('1,250', 'jpy')).toBe(1250);
  });

  it.each(['12,50', '12,5', '1,2500', '1,25.00', ',250', '1,250,5'])('refuses %s, a comma that may be a decimal comma', (text) => {
    const error = (() => {
      try {
        parseMajorAmount(text, 'usd', 'custom_amount');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_amount', field: 'custom_amount', message: 'Please use a dot for cents, such as 12.50.' });
  });
});
