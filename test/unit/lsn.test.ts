/** WAL positions: parsed to bigints that compare like the server's pg_lsn, and formatted back. */
import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from '../../src/repo/lsn.js';

describe('parseLsn', () => {
  it('puts the segment in the high 32 bits and the offset in the low', () => {
    expect(parseLsn('16/B374D848')).toEqual((0x16n << 32n) | 0xb374d848n);
  });

  it('orders positions by segment before offset, not as text', () => {
    const positions = ['1/0', '0/FFFFFFFF', 'A/1', '9/FFFFFFFF', '0/0'];
    expect([...positions].sort((a, b) => Number(parseLsn(a) - parseLsn(b)))).toEqual(['0/0', '0/FFFFFFFF', '1/0', '9/FFFFFFFF', 'A/1']);
  });

  it('reads lower-case hex and surrounding whitespace', () => {
    expect(parseLsn(' 0/3000060\n')).toEqual(parseLsn('0/3000060'));
  });

  it.each(['', '16', '16/', '/B374D848', '16/B374D848/0', '123456789/0', '0/G'])('refuses %j with a TypeError naming it', (text) => {
    expect(() => parseLsn(text)).toThrow(new TypeError(`not a WAL position: ${text}`));
  });
});

describe('formatLsn', () => {
  it('writes what the server writes (upper-case hex, no padding)', () => {
    expect(['16/B374D848', '0/0', 'FFFFFFFF/FFFFFFFF', '0/3000060'].map((text) => formatLsn(parseLsn(text)))).toEqual([
      '16/B374D848',
      '0/0',
      'FFFFFFFF/FFFFFFFF',
      '0/3000060',
    ]);
  });
});
