/** DECIMAL(_,2) strings to integer cents, never through a float. */
import { describe, expect, it } from 'vitest';
import { decimalToCents } from '../../subgraphs/legacy/money.js';

describe('decimalToCents', () => {
  it('converts exactly where a float would not', () => {
    expect(decimalToCents('0.10') + decimalToCents('0.20')).toEqual(30);
  });

  it.each([
    ['1234.56', 123456],
    ['0.1', 10],
    ['7', 700],
    ['0.00', 0],
    ['-0.05', -5],
    ['-12.3', -1230],
    [' 19.99 ', 1999],
    ['90071992547409.91', 9007199254740991],
  ])('%j is %d cents', (decimal, cents) => {
    expect(decimalToCents(decimal)).toEqual(cents);
  });

  it.each(['', '1.234', '1,50', '+1.00', '.50', '1e3', 'NaN'])('refuses %j', (decimal) => {
    expect(() => decimalToCents(decimal)).toThrow(new TypeError(`not a DECIMAL(_,2) value: ${decimal}`));
  });
});
