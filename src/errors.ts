/**
 * Errors a client may see. Each has a stable `extensions.code`; everything else is masked as
 * INTERNAL_SERVER_ERROR by the gateway (see gateway/mask-error.ts), so driver messages, SQL
 * text and stacks never leave the process.
 */
import { GraphQLError } from 'graphql';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'REPO_UNAVAILABLE' | 'REPO_BUSY' | 'FORBIDDEN';

export abstract class RepogateError extends GraphQLError {
  abstract readonly code: ErrorCode;

  constructor(message: string, extensions: Record<string, unknown>) {
    super(message, { extensions });
  }
}

/** Bad arguments. `argumentName` tells a client which input to fix. */
export class BadUserInputError extends RepogateError {
  readonly code = 'BAD_USER_INPUT';
  override name = 'BadUserInputError';

  constructor(
    message: string,
    readonly argumentName: string,
  ) {
    super(message, { code: 'BAD_USER_INPUT', argumentName });
  }
}

export class NotFoundError extends RepogateError {
  readonly code = 'NOT_FOUND';
  override name = 'NotFoundError';

  constructor(what: string, key: unknown) {
    super(`${what} ${String(key)} not found`, { code: 'NOT_FOUND' });
  }
}

/** The repo cannot be reached (down, refusing connections, connection lost mid-query). */
export class RepoUnavailableError extends RepogateError {
  readonly code = 'REPO_UNAVAILABLE';
  override name = 'RepoUnavailableError';

  constructor(readonly repo: string) {
    super(`Repo "${repo}" is unavailable.`, { code: 'REPO_UNAVAILABLE', repo });
  }
}

export function isRepogateError(error: unknown): error is RepogateError {
  return error instanceof RepogateError;
}
