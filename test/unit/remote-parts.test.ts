/**
 * What merged execution sends a remote subgraph (src/gateway/remote-parts.ts): its cut of the
 * client's selection, with the keys other subgraphs need and literals as variables, and how the
 * errors of its answer are put back where the walk meets them.
 */
import { GraphQLError, parse, print, type FieldNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ownSelections, partOperation, partVariables, placeErrors, raisedAt, type Cut } from '../../src/gateway/remote-parts.js';
import { builtInSubgraphs } from '../../src/subgraphs.js';
import { subgraphSchema } from '../../src/subgraph-kit/subgraph.js';

const main = builtInSubgraphs.find((subgraph) => subgraph.name === 'main')!;
const mainSchema = subgraphSchema(main);
/** main owns users and names, telemetry devices and last positions, keyed by a user's id. */
const ownership: Cut['ownership'] = {
  resolvingSubgraph: (typeName, fieldName, producer) => (typeName === 'User' && ['devices', 'lastPosition'].includes(fieldName) ? 'telemetry' : producer === 'telemetry' && typeName === 'User' ? 'telemetry' : 'main'),
  keyFieldsOf: (subgraph) => (subgraph === 'telemetry' ? ['id'] : []),
};
const cut: Cut = { target: { name: 'main', schema: mainSchema }, ownership, fragments: {} };

function mainPart(query: string) {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  const selections = ownSelections(operation.selectionSet.selections, mainSchema.getQueryType()!, undefined, cut);
  return partOperation(selections, operation, mainSchema);
}

describe("a remote subgraph's part of an operation", () => {
  it("keeps its own fields as the client wrote them, and asks for another subgraph's key where that one takes over", () => {
    const part = mainPart('query ($ids: [ID!]!) { users(ids: $ids) { who: name lastPosition { latitude } devices { id } } }');
    expect(print(part.document)).toBe(print(parse('query ($ids: [ID!]!) { users(ids: $ids) { who: name _rgKey_id: id } }')));
  });

  it('sends literal arguments as variables, one per literal and type, valued per request (variables inside them too)', () => {
    const part = mainPart('query ($second: ID!) { a: user(id: "1") { name } b: user(id: "1") { id } c: users(ids: ["7", $second]) { id } }');
    expect(print(part.document)).toBe(
      print(parse('query ($_rgLiteral_0: ID!, $_rgLiteral_1: [ID!]!) { a: user(id: $_rgLiteral_0) { name } b: user(id: $_rgLiteral_0) { id } c: users(ids: $_rgLiteral_1) { id } }')),
    );
    expect(partVariables(part, { second: '9', unused: 1 })).toEqual({ _rgLiteral_0: '1', _rgLiteral_1: ['7', '9'] });
  });
});

describe("the errors of a subgraph's answer", () => {
  it('are placed at the null their failure left, and raised there with the path of the field that failed', () => {
    const data: Record<string, unknown> = { user: { company: null }, other: { name: 'x' } };
    const unplaced = placeErrors(data, [
      { message: 'bad first', path: ['user', 'company', 'users'], extensions: { code: 'BAD_USER_INPUT' } },
      { message: 'no path' },
    ]);
    expect(unplaced.map((error) => error.message)).toEqual(['no path']);
    const placed = (data.user as { company: unknown }).company;
    expect(placed).toBeInstanceOf(GraphQLError);
    // Read as the field `user.company`, the error is the one of `user.company.users`.
    const companyField = parse('{ user { company { users { edges { node { name } } } } } }').definitions[0] as OperationDefinitionNode;
    const info = {
      path: { prev: { prev: undefined, key: 'user', typename: 'Query' }, key: 'company', typename: 'User' },
      fieldNodes: [(companyField.selectionSet.selections[0] as FieldNode).selectionSet!.selections[0]],
      fragments: {},
    };
    const raised = raisedAt(placed as Error, info as unknown as GraphQLResolveInfo);
    expect(raised).toMatchObject({ message: 'bad first', path: ['user', 'company', 'users'], extensions: { code: 'BAD_USER_INPUT' } });
    expect((raised as GraphQLError).nodes?.map((node) => (node as FieldNode).name.value)).toEqual(['users']);
  });

  it('leave a value that is there alone', () => {
    const data = { user: { name: 'Ada' } };
    expect(placeErrors(data, [{ message: 'late', path: ['user', 'name'] }])).toHaveLength(1);
    expect(data).toEqual({ user: { name: 'Ada' } });
  });
});
