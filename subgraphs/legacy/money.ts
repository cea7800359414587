/**
 * DECIMAL strings to integer cents without passing through a float ('0.10' + '0.20' must not
 * become 30.000000000000004 cents).
 */
export function decimalToCents(decimal: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(decimal.trim());
  if (!match) throw new TypeError(`not a DECIMAL(_,2) value: ${decimal}`);
  const [, sign, whole, fraction = ''] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -cents : cents;
}
