/**
 * An injection corpus in every argument of every root field (queries and mutations, as admin
 * so every field is reachable): every answer is a clean GraphQL result or a BAD_USER_INPUT;
 * none carries SQLSTATEs, driver codes, table names or stack traces; no table changes size.
 */
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { mainUrl, mysqlRows, openGateway, pgRows, telemetryUrl } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const strings = [
  "'",
  "' OR 1=1--",
  '1; DROP TABLE companies;--',
  '1) UNION SELECT * FROM users--',
  '\u0000',
  'a\u0000b',
  'x'.repeat(10_240),
  '\ud800', // a lone surrogate: not valid UTF-8 once encoded
  '🙂',
  '-1',
  '9'.repeat(40),
  '1e309',
  '0x10',
  '$1',
  '?',
  '%',
  '\\',
];
const numbers = [-1, 0, 2 ** 31, -(2 ** 31) - 1, 1e10, Number.MAX_SAFE_INTEGER, 1.5];

/** A harmless value for every other argument, so each case probes one argument at a time. */
function neutral(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) return [];
  const named = getNamedType(nullable);
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, neutral(field.type)]),
    );
  }
  switch (named.name) {
    case 'Int': case 'Float': case 'Latitude': case 'Longitude': case 'SafeInt': return 1;
    case 'DateTime': return '2026-10-01T00:00:00Z';
    case 'Boolean': return false;
    case 'ID': return '999999999'; // names nothing: a mutation with it changes nothing
    default: return isLeafType(named) && 'getValues' in named ? named.getValues()[0]!.name : 'x';
  }
}

function corpusFor(type: GraphQLInputType): unknown[] {
  const named = getNamedType(type);
  const numeric = ['Int', 'Float', 'SafeInt', 'Latitude', 'Longitude'].includes(named.name);
  const base = numeric ? [...numbers, ...strings.slice(0, 3)] : [...strings, ...numbers.slice(0, 3)];
  return isListType(getNullableType(type)) ? base.map((value) => [value]) : base;
}

interface Case {
  field: string;
  argument: string;
  variables: Record<string, unknown>;
  document: string;
}

function casesOf(operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): Case[] {
  const declare = (arg: GraphQLArgument) => `$${arg.name}: ${arg.type.toString()}`;
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const document = `${operation} (${field.args.map(declare).join(', ')}) { ${field.name}(${field.args
    .map((arg) => `${arg.name}: $${arg.name}`)
    .join(', ')})${selection} }`;
  const neutralVariables = Object.fromEntries(field.args.map((arg) => [arg.name, neutral(arg.type)]));
  const cases: Case[] = [];
  for (const arg of field.args) {
    const named = getNamedType(arg.type);
    if (isInputObjectType(named)) {
      for (const inner of Object.values(named.getFields())) {
        for (const value of corpusFor(inner.type)) {
          const input = { ...(neutralVariables[arg.name] as object), [inner.name]: value };
          cases.push({ field: field.name, argument: `${arg.name}.${inner.name}`, document, variables: { ...neutralVariables, [arg.name]: isListType(getNullableType(arg.type)) ? [input] : input } });
        }
      }
    } else {
      for (const value of corpusFor(arg.type)) {
        cases.push({ field: field.name, argument: arg.name, document, variables: { ...neutralVariables, [arg.name]: value } });
      }
    }
  }
  return cases;
}

const leaks = /SQLSTATE|\bER_[A-Z_]+|\b(42P01|42501|22P02|22021|23505)\b|time_entries|INV_HDR|INV_LINE|CUST_MASTER|legacy_customer_code|pg_catalog|node_modules|\.ts:\d+|\bat [\w.<>]+ \(|syntax error at or near/i;

async function tableSizes() {
  const [main] = await pgRows(mainUrl(), `SELECT (SELECT count(*) FROM companies)::int AS c, (SELECT count(*) FROM users)::int AS u,
    (SELECT count(*) FROM projects)::int AS p, (SELECT count(*) FROM time_entries)::int AS t`);
  const [telemetry] = await pgRows(telemetryUrl(), 'SELECT (SELECT count(*) FROM devices)::int AS d, (SELECT count(*) FROM positions)::int AS p');
  const [legacy] = await mysqlRows('SELECT (SELECT COUNT(*) FROM CUST_MASTER) AS c, (SELECT COUNT(*) FROM INV_HDR) AS h, (SELECT COUNT(*) FROM INV_LINE) AS l');
  return { main, telemetry, legacy };
}

describe('the injection corpus', () => {
  it('gets clean answers or BAD_USER_INPUT in every argument of every root field, and changes no table size', async () => {
    const schema = buildGatewaySchema();
    const cases = [
      ...Object.values(schema.getQueryType()!.getFields()).flatMap((field) => casesOf('query', field)),
      ...Object.values(schema.getMutationType()!.getFields()).flatMap((field) => casesOf('mutation', field)),
    ];
    expect(cases.length).toBeGreaterThan(300);
    const before = await tableSizes();
    const offenders: string[] = [];
    for (let start = 0; start < cases.length; start += 25) {
      await Promise.all(
        cases.slice(start, start + 25).map(async (c) => {
          const response = await gateway.post(c.document, c.variables, { clientClass: 'admin' });
          const text = await response.text();
          const body = JSON.parse(text);
          const codes = (body.errors ?? []).map((error: { extensions?: { code?: string } }) => error.extensions?.code);
          const clean = codes.every((code: string | undefined) => code === 'BAD_USER_INPUT');
          if (!clean || leaks.test(text) || response.status >= 500) {
            offenders.push(`${c.field}(${c.argument}) ${JSON.stringify(c.variables).slice(0, 80)} → ${response.status} ${text.slice(0, 200)}`);
          }
        }),
      );
    }
    expect(offenders).toEqual([]);
    expect(await tableSizes()).toEqual(before);
  });
});
