/**
 * Our timestamptz parser (src/repo/instants.ts) gives the Date pg's own parser gives, for every
 * shape PostgreSQL writes: its text output and `to_json`'s ISO form, 0–6 fraction digits, offsets
 * of hours, minutes and seconds either side of UTC, and the shapes left to pg's parser.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseInstant, pgTypes } from '../../src/repo/instants.js';

const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date | number;
const time = (value: Date | number) => (value instanceof Date ? value.getTime() : value);

/** A deterministic generator, so a failure names a reproducible value. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

describe('parseInstant', () => {
  it('equals pg’s parser on 50,000 random instants in both of PostgreSQL’s forms', () => {
    const next = random(20261201);
    const pick = (below: number) => Math.floor(next() * below);
    const differing: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const date = `${pad(100 + pick(9900), 4)}-${pad(1 + pick(12), 2)}-${pad(1 + pick(28), 2)}`;
      const clock = `${pad(pick(24), 2)}:${pad(pick(60), 2)}:${pad(pick(60), 2)}`;
      const fraction = pick(2) ? '' : `.${pad(pick(10 ** 6), 6).slice(0, 1 + pick(6))}`;
      const hours = pad(pick(15), 2);
      const offset = [`+00`, `+${hours}`, `-${hours}`, `+${hours}:30`, `-${hours}:45`, `+${hours}:00:15`][pick(6)]!;
      const text = `${date} ${clock}${fraction}${offset}`;
      // to_json's form: a T, and +00:00 rather than +00.
      const json = `${date}T${clock}${fraction}${offset === '+00' ? '+00:00' : offset}`;
      const expected = time(pgParse(text));
      if (time(parseInstant(text)) !== expected) differing.push(text);
      if (time(parseInstant(json)) !== expected) differing.push(json);
    }
    expect(differing).toEqual([]);
  });

  it('leaves what it does not read at fixed places to pg’s parser', () => {
    for (const text of ['0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '12345-01-01 00:00:00+00', 'infinity', '-infinity', '2026-11-30 10:00:00']) {
      expect(time(parseInstant(text)), text).toEqual(time(pgParse(text)));
    }
    expect(parseInstant('2026-11-30 10:00:00.+00').getTime()).toEqual(time(pgParse('2026-11-30 10:00:00.+00')));
  });

  it('is what a pg pool reads timestamptz columns with, and only those', () => {
    expect(pgTypes.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text')).toBe(parseInstant);
    expect(pgTypes.getTypeParser(pg.types.builtins.INT8, 'text')).toBe(pg.types.getTypeParser(pg.types.builtins.INT8, 'text'));
  });
});
