/**
 * Compiled execution (src/gateway/compiled-execution.ts) against graphql-js over the same small
 * schema: the same data, and errors graphql-js would make (message, path, locations, code, and
 * whether a cause is there, which decides masking), for a coded error, an internal one, a null in
 * a non-null field, and a bad variable masked to the same code. Compiled once per document, schema and operation.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, GraphQLError, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compiledFor } from '../../src/gateway/compiled-execution.js';
import { maskError } from '../../src/gateway/mask-error.js';

const schema = makeExecutableSchema({
  typeDefs: /* GraphQL */ `
    type Query { things(first: Int!): [Thing!]! thing(id: ID!): Thing byStatus(status: Status!): String }
    type Thing { id: ID! name: String coded: String internal: String mustHave: String! late: String }
    enum Status { OPEN PAID }
  `,
  resolvers: {
    Query: {
      things: (_: unknown, { first }: { first: number }) => Array.from({ length: first }, (_, i) => ({ id: String(i + 1), name: `thing ${i + 1}` })),
      thing: (_: unknown, { id }: { id: string }) => (id === '0' ? null : { id, name: `thing ${id}` }),
      byStatus: (_: unknown, { status }: { status: string }) => `internal ${status}`,
    },
    Status: { OPEN: 'O', PAID: 'P' },
    Thing: {
      coded: () => {
        throw new GraphQLError('Not yours.', { extensions: { code: 'FORBIDDEN' } });
      },
      internal: () => {
        throw new Error('relation "secret" does not exist');
      },
      mustHave: async ({ id }: { id: string }) => (id === '2' ? null : 'here'),
      // Fails after its sibling has nulled the object: graphql-js has answered by then.
      late: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new GraphQLError('Too late.', { extensions: { code: 'FORBIDDEN' } });
      },
    },
  },
});

/** What a client and our masking read of a result: data, and per error its message, path, locations, code and whether it has a cause. */
function observable(result: ExecutionResult) {
  return {
    data: result.data,
    errors: result.errors?.map((error) => ({
      message: error.message,
      path: error.path,
      locations: error.locations,
      code: error.extensions?.code,
      caused: error.originalError !== undefined && error.originalError !== null,
      nodes: error.nodes?.length ?? 0,
    })),
  };
}

async function both(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const compiled = compiledFor(document, schema, undefined);
  expect(compiled).not.toBeNull();
  const reference = await execute({ schema, document, variableValues: variables });
  return { compiled: observable(await compiled!({}, {}, variables)), reference: observable(reference) };
}

describe('compiled execution', () => {
  it('answers as graphql-js does, with aliases, fragments and variables', async () => {
    const { compiled, reference } = await both('query ($n: Int!) { things(first: $n) { ...T alias: name } thing(id: "0") { id } } fragment T on Thing { id name }', { n: 3 });
    expect(compiled).toEqual(reference);
    expect(compiled.data).toEqual({ things: [{ id: '1', name: 'thing 1', alias: 'thing 1' }, { id: '2', name: 'thing 2', alias: 'thing 2' }, { id: '3', name: 'thing 3', alias: 'thing 3' }], thing: null });
  });

  it('makes the errors graphql-js makes: a coded one, an internal one, a null in a non-null field', async () => {
    const { compiled, reference } = await both('{ things(first: 2) { id coded internal } thing(id: "2") { id mustHave } }');
    expect(compiled).toEqual(reference);
    expect(compiled.errors?.map((error) => [error.code, error.caused, error.nodes])).toEqual([
      ['FORBIDDEN', true, 1], [undefined, true, 1], ['FORBIDDEN', true, 1], [undefined, true, 1], [undefined, true, 1],
    ]);
  });

  it('refuses a bad variable before running, masked to the code graphql-js’s refusal gets', async () => {
    const document = parse('query ($n: Int!) { things(first: $n) { id } }');
    const variables = { n: 'three' };
    const compiled = await compiledFor(document, schema, undefined)!({}, {}, variables);
    const reference = await execute({ schema, document, variableValues: variables });
    const masked = (result: ExecutionResult) => result.errors?.map((error) => {
      const shown = maskError(error, () => {}) as GraphQLError;
      return { code: shown.extensions.code, argumentName: shown.extensions.argumentName, locations: shown.locations };
    });
    expect(compiled.data).toBeUndefined();
    expect(masked(compiled)).toEqual(masked(reference));
    expect(masked(compiled)).toEqual([{ code: 'BAD_USER_INPUT', argumentName: 'n', locations: [{ line: 1, column: 8 }] }]);
  });

  it('reports one error for an object a non-null field nulled, as graphql-js does', async () => {
    const { compiled, reference } = await both('{ thing(id: "2") { id late mustHave } }');
    expect(compiled).toEqual(reference);
    expect(compiled.errors?.map((error) => error.path)).toEqual([['thing', 'mustHave']]);
  });

  it('coerces variables as graphql-js does: defaults of non-null variables, enums by name, its wording of a refusal', async () => {
    const withDefaults = await both('query ($n: Int! = 2, $s: Status! = PAID) { things(first: $n) { id } byStatus(status: $s) }');
    expect(withDefaults.compiled).toEqual(withDefaults.reference);
    expect(withDefaults.compiled.data).toEqual({ things: [{ id: '1' }, { id: '2' }], byStatus: 'internal P' });
    const typo = await both('query ($s: Status!) { byStatus(status: $s) }', { s: 'OPN' });
    expect(typo.compiled).toEqual(typo.reference);
    expect(typo.compiled.errors?.[0]?.message).toMatch(/Did you mean the enum value "OPEN"/);
  });

  it('compiles a document once per schema and operation', () => {
    const document = parse('query A { thing(id: "1") { id } } query B { things(first: 1) { id } }');
    expect(compiledFor(document, schema, 'A')).toBe(compiledFor(document, schema, 'A'));
    expect(compiledFor(document, schema, 'B')).not.toBe(compiledFor(document, schema, 'A'));
  });
});
