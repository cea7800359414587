/**
 * Join-ahead (src/subgraph-kit/lookahead.ts, columns.ts): a resolver sees whether its selection
 * goes on to a relation, through any fragment, and a joined row splits back into its two rows.
 */
import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asksFor } from '../../src/subgraph-kit/lookahead.js';
import { prefixed, select, splitPrefixed } from '../../src/subgraph-kit/columns.js';

const schema = buildSchema('type Query { user: User } type User { id: ID name: String company: Company } type Company { id: ID }');

/** What `asksFor(info, 'company')` says inside Query.user for `query`. */
function asksForCompany(query: string): boolean {
  let answer: boolean | undefined;
  const rootValue = { user: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => ((answer = asksFor(info, 'company')), null) };
  execute({ schema, document: parse(query), rootValue });
  return answer!;
}

describe('asksFor', () => {
  it.each([
    ['{ user { id company { id } } }', true],
    ['{ user { id name } }', false],
    ['{ user { ... on User { c: company { id } } } }', true],
    ['{ user { ...F } } fragment F on User { company { id } }', true],
    ['{ user { ...F } } fragment F on User { ...G } fragment G on User { company { id } }', true],
    ['{ user { ...F } } fragment F on User { name }', false],
    ['{ user { id } user { company { id } } }', true],
  ])('%s → %s', (query, expected) => {
    expect(asksForCompany(query)).toBe(expected);
  });
});

describe('joined rows', () => {
  it('names the related columns with a prefix, the hidden ones NULL as usual', () => {
    const columns = [{ sql: 'id' }, { sql: 'name', field: 'Company.name', type: 'text' }, { sql: 'rtrim(code)', as: 'code' }];
    expect(select(prefixed(columns, 'company'), () => true)).toBe('id AS "company.id", name AS "company.name", rtrim(code) AS "company.code"');
    expect(select(prefixed(columns, 'company'), () => false)).toBe('id AS "company.id", NULL::text AS "company.name", rtrim(code) AS "company.code"');
  });

  it('splits a joined row into its own row and the related one, null when the join found none', () => {
    expect(splitPrefixed({ id: '1', name: 'Hana', 'company.id': '3', 'company.name': 'Müller' }, 'company')).toEqual([{ id: '1', name: 'Hana' }, { id: '3', name: 'Müller' }]);
    expect(splitPrefixed({ id: '1', 'company.id': null, 'company.name': null }, 'company')).toEqual([{ id: '1' }, null]);
  });
});
