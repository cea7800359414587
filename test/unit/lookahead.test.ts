/**
 * Join-ahead (src/subgraph-kit/lookahead.ts, columns.ts): a resolver sees whether its selection
 * goes on to a relation, through any fragment, and a joined row splits back into its two rows.
 */
import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { argumentsAt, asksFor } from '../../src/subgraph-kit/lookahead.js';
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

const pages = buildSchema(`
  type Query { companies(first: Int): CompanyConnection }
  type CompanyConnection { edges: [CompanyEdge] }
  type CompanyEdge { node: Company }
  type Company { id: ID users(first: Int, after: String): [User] }
  type User { id: ID entries(from: String!, to: String!): [ID] }
`);

/** What `argumentsAt(info, path)` says inside Query.companies for `query`. */
function argumentsBelowCompanies(query: string, path: string[], variableValues?: Record<string, unknown>) {
  let answer: unknown;
  const rootValue = { companies: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => ((answer = argumentsAt(info, path)), null) };
  const result = execute({ schema: pages, document: parse(query), rootValue, variableValues });
  expect(result).not.toHaveProperty('errors');
  return answer;
}

describe('argumentsAt', () => {
  const users = ['edges', 'node', 'users'];
  const entries = [...users, 'entries'];
  it.each([
    ['{ companies { edges { node { users(first: 3) { id } } } } }', users, { first: 3 }],
    ['{ companies { edges { node { id } } } }', users, null],
    ['{ companies { edges { node { users { id } } } } }', users, {}],
    ['{ companies { edges { ...E } } } fragment E on CompanyEdge { node { ... on Company { users(first: 1) { id } } } }', users, { first: 1 }],
    ['{ companies { edges { node { users(first: 2) { entries(from: "a", to: "b") } } } } }', entries, { from: 'a', to: 'b' }],
    // Two selections with other arguments: the first one's, and the path goes on through it only.
    ['{ companies { edges { node { a: users(first: 1) { id } b: users(first: 2) { entries(from: "a", to: "b") } } } } }', entries, null],
    ['{ companies { edges { node { a: users(first: 1) { entries(from: "x", to: "y") } b: users(first: 2) { entries(from: "a", to: "b") } } } } }', entries, { from: 'x', to: 'y' }],
  ])('%s at %j → %j', (query, path, expected) => {
    expect(argumentsBelowCompanies(query, path)).toEqual(expected);
  });

  it('applies variables', () => {
    const query = 'query ($n: Int, $f: String!) { companies { edges { node { users(first: $n) { entries(from: $f, to: "z") } } } } }';
    expect(argumentsBelowCompanies(query, entries, { n: 5, f: 'a' })).toEqual({ from: 'a', to: 'z' });
    expect(argumentsBelowCompanies(query, users, { n: 5, f: 'a' })).toEqual({ first: 5 });
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
