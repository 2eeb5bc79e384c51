import { describe, expect, it } from 'vitest';
import { houseOf, postcodeOf, scheduleDate, splitName } from '../../../../functions/core/donations/gift-aid.js';

describe("HMRC's schedule fields from what Checkout collected", () => {
  it.each([
    ['12 High Street', '12'],
    ['12a High Street', '12a'],
    ['12-14 Market Row', '12-14'],
    ['7, Acacia Avenue', '7'],
    ['Rose Cottage, Mill Lane', 'Rose Cottage'],
    ['Flat 3, 12 High Street', 'Flat 3'],
    ['The Old Rectory', 'The Old Rectory'],
  ])('takes the house name or number of %s', (line1, house) => {
    expect(houseOf({ line1 })).toBe(house);
  });

  it.each([
    ['GB', 'sw1a1aa', 'SW1A 1AA'],
    ['GB', ' bs1  4dj ', 'BS1 4DJ'],
    ['GB', 'M1 1AE', 'M1 1AE'],
    ['GB', '12345', undefined],
    ['GB', undefined, undefined],
    ['FR', '75004', 'X'],
    ['IE', undefined, 'X'],
  ])('writes the postcode of a %s address %s as %s (X abroad)', (country, postalCode, postcode) => {
    expect(postcodeOf({ country, postalCode })).toBe(postcode);
  });

  it.each([
    ['Ada Lovelace', 'Ada', 'Lovelace'],
    ['  Grace   Brewster Hopper ', 'Grace', 'Brewster Hopper'],
    ['Anne-Marie de la Cruz', 'Anne-Marie', 'de la Cruz'],
    ['Cher', '', 'Cher'],
  ])('splits %s into a first and a last name', (name, firstName, lastName) => {
    expect(splitName(name)).toEqual({ firstName, lastName });
  });

  it('dates a gift on the UK calendar, DD/MM/YY', () => {
    expect(scheduleDate('2027-04-05T22:30:00.000Z')).toBe('05/04/27');
    expect(scheduleDate('2026-01-31T23:30:00.000Z')).toBe('31/01/26'); // GMT in winter
    expect(scheduleDate('2026-07-31T23:30:00.000Z')).toBe('01/08/26');
  });
});
