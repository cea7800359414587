/**
 * maskError: what a client may learn from an error. Repogate codes pass with message and code
 * only; GraphQL's own errors pass; a driver error or a bug becomes "Unexpected error." and is
 * logged, never sent.
 */
import { createGraphQLError } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BadUserInputError, OperationLimitError, RepoUnavailableError, UnauthenticatedError } from '../../src/errors.js';
import { maskError } from '../../src/gateway/mask-error.js';

/** Masks `error`, returning what the client gets and what was logged. */
function mask(error: unknown) {
  const logged: unknown[] = [];
  const masked = maskError(error, (each) => logged.push(each)) as GraphQLError;
  return { message: masked.message, extensions: masked.extensions, logged };
}

const unexpected = (logged: unknown) => ({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' }, logged: [logged] });

describe('maskError', () => {
  it('passes a Repogate error with its code, repo and nothing else', () => {
    expect(mask(new RepoUnavailableError('legacy'))).toEqual({
      message: 'Repo "legacy" is unavailable.',
      extensions: { code: 'REPO_UNAVAILABLE', repo: 'legacy' },
      logged: [],
    });
  });

  it('keeps the argument name, the limit and the HTTP status a client needs', () => {
    expect([mask(new BadUserInputError('bad', 'first')).extensions, mask(new OperationLimitError('Aliases', 'maxAliases', 10, 11, 'api')).extensions]).toEqual([
      { code: 'BAD_USER_INPUT', argumentName: 'first' },
      { code: 'OPERATION_LIMIT_EXCEEDED', limit: { name: 'maxAliases', max: 10, found: 11, clientClass: 'api' }, http: { status: 400 } },
    ]);
  });

  it('keeps the 401 and its Bearer challenge for a missing token', () => {
    expect(mask(new UnauthenticatedError('Token expired.')).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
    });
  });

  it('drops extensions a Repogate error should not carry out', () => {
    const leaky = createGraphQLError('Repo "main" is busy.', { extensions: { code: 'REPO_BUSY', repo: 'main', sql: 'SELECT * FROM users', sqlState: '57014' } });
    expect(mask(leaky).extensions).toEqual({ code: 'REPO_BUSY', repo: 'main' });
  });

  it('masks and logs a plain error (a bug)', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    expect(mask(bug)).toEqual(unexpected(bug));
  });

  it('masks a GraphQLError wrapping a driver error, SQL and all', () => {
    const driver = Object.assign(new Error('relation "users" does not exist'), { code: '42P01' });
    const wrapped = createGraphQLError(driver.message, { originalError: driver });
    expect(mask(wrapped)).toEqual(unexpected(wrapped));
  });

  it('passes GraphQL validation errors as they are', () => {
    const validation = new GraphQLError('Cannot query field "nope" on type "Query".');
    expect(mask(validation)).toEqual({ message: 'Cannot query field "nope" on type "Query".', extensions: {}, logged: [] });
  });

  it('gives a malformed scalar BAD_USER_INPUT and the argument it names', () => {
    const coercion = new GraphQLError('Variable "$from" got invalid value "yesterday"; Expected type "DateTime".');
    expect(mask(coercion).extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'from' });
  });
});
