/** select and perClass: select lists that follow the field declarations, built once per class. */
import { describe, expect, it } from 'vitest';
import { perClass, select, type Column } from '../../src/subgraph-kit/columns.js';

const columns: Column[] = [
  { sql: 'id' },
  { sql: 'name', field: 'User.name', type: 'text' },
  { sql: 'created_at', as: 'createdAt', field: 'User.createdAt', type: 'timestamptz' },
  { sql: 'd.label', field: 'Device.label', type: 'text' },
];
const everything = () => true;
const nothing = () => false;

describe('select', () => {
  it('names every column for a class that sees every field', () => {
    expect(select(columns, everything)).toBe('id, name, created_at AS "createdAt", d.label');
  });

  it('puts a typed NULL, under the same name, where a class may not see the field (PostgreSQL)', () => {
    expect(select(columns, nothing)).toBe('id, NULL::text AS name, NULL::timestamptz AS "createdAt", NULL::text AS label');
  });

  it('puts a plain NULL on MySQL, whose names are not quoted', () => {
    expect(select(columns, nothing, 'mysql')).toBe('id, NULL AS name, NULL AS createdAt, NULL AS label');
  });

  it('hides only what the class may not see', () => {
    expect(select(columns, (field) => field !== 'User.createdAt')).toBe('id, name, NULL::timestamptz AS "createdAt", d.label');
  });
});

describe('perClass', () => {
  it('builds the statements of a class once', () => {
    let builds = 0;
    const statementsFor = perClass((canSee) => ({ users: `SELECT ${select(columns, canSee)} FROM users`, build: ++builds }));
    expect(statementsFor(everything)).toBe(statementsFor(everything));
    expect(statementsFor(nothing).users).toBe('SELECT id, NULL::text AS name, NULL::timestamptz AS "createdAt", NULL::text AS label FROM users');
    expect(builds).toBe(2);
  });
});
