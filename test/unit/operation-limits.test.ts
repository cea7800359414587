/**
 * limitRefusal: GraphQL Armor words every refusal as a "Syntax Error"; the client gets instead
 * OPERATION_LIMIT_EXCEEDED naming the limit, its value, what was found and the client class.
 * The armor cases run armor itself, so a change in its wording fails here.
 */
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { OperationLimitError } from '../../src/errors.js';
import { limitRefusal } from '../../src/gateway/use-operation-limits.js';

const schema = buildSchema('type Query { child: Query, leaf: Int }');

describe('limitRefusal', () => {
  it("rewords armor's depth refusal with the limit and what was found", () => {
    const refusals: GraphQLError[] = [];
    const rule = maxDepthRule({ n: 2, exposeLimits: true, propagateOnRejection: false, onReject: [(_, error) => refusals.push(error)] });
    validate(schema, parse('{ child { child { child { leaf } } } }'), [rule]);
    const [refusal] = refusals;
    expect(limitRefusal(refusal, 'api')).toEqual(new OperationLimitError('Query depth', 'maxDepth', 2, 4, 'api'));
  });

  it("rewords armor's token refusal, which names no count", () => {
    let refusal: unknown;
    try {
      new MaxTokensParserWLexer('{ leaf leaf leaf }', { n: 3, exposeLimits: true }).parseDocument();
    } catch (error) {
      refusal = error;
    }
    expect(limitRefusal(refusal, 'interactive')).toEqual(new OperationLimitError('Token', 'maxTokens', 3, undefined, 'interactive'));
  });

  it.each([
    ['Aliases limit of 10 exceeded, found 11', new OperationLimitError('Aliases', 'maxAliases', 10, 11, 'api')],
    ['Directives limit of 5 exceeded, found 6', new OperationLimitError('Directives', 'maxDirectives', 5, 6, 'api')],
    ['Query Cost limit of 50000 exceeded, found 61234.5', new OperationLimitError('Query cost', 'maxCost', 50000, 61234.5, 'api')],
  ])('rewords the refusal "%s"', (refusal, expected) => {
    expect(limitRefusal(new GraphQLError(`Syntax Error: ${refusal}.`), 'api')).toEqual(expected);
  });

  it('gives the limit to the client in extensions, with HTTP 400', () => {
    expect((limitRefusal(new GraphQLError('Syntax Error: Aliases limit of 10 exceeded, found 11.'), 'api') as GraphQLError).extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: { name: 'maxAliases', max: 10, found: 11, clientClass: 'api' },
      http: { status: 400 },
    });
  });

  it('leaves a real syntax error, and anything not a GraphQLError, as it is', () => {
    const syntax = new GraphQLError('Syntax Error: Expected Name, found "}".');
    const other = new Error('Syntax Error: Aliases limit of 10 exceeded, found 11.');
    expect([limitRefusal(syntax, 'api'), limitRefusal(other, 'api')]).toEqual([syntax, other]);
  });
});
