/**
 * Errors a client may see. Each has a stable `extensions.code`; everything else is masked as
 * INTERNAL_SERVER_ERROR by the gateway (see gateway/mask-error.ts), so driver messages, SQL
 * text and stacks never leave the process.
 */
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'REPO_UNAVAILABLE'
  | 'REPO_BUSY'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'TENANT_UNKNOWN'
  | 'TENANT_SUSPENDED'
  | 'OPERATION_LIMIT_EXCEEDED'
  | 'PERSISTED_OPERATION_REQUIRED'
  | 'SUBSCRIPTION_LIMIT'
  | 'SUBSCRIPTION_OVERFLOW'
  | 'LIVE_GAP';

/** Every code a client may see besides INTERNAL_SERVER_ERROR and GraphQL's own validation errors. */
export const publicErrorCodes: ReadonlySet<string> = new Set<ErrorCode>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'REPO_UNAVAILABLE',
  'REPO_BUSY',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'TENANT_UNKNOWN',
  'TENANT_SUSPENDED',
  'OPERATION_LIMIT_EXCEEDED',
  'PERSISTED_OPERATION_REQUIRED',
  'SUBSCRIPTION_LIMIT',
  'SUBSCRIPTION_OVERFLOW',
  'LIVE_GAP',
]);

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
    /** More for a client to act on (the active repos' horizon, say). */
    details: Record<string, unknown> = {},
  ) {
    super(message, { code: 'BAD_USER_INPUT', argumentName, ...details });
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

/** Every connection of the request's class is busy (or a statement ran past its class's timeout). */
export class RepoBusyError extends RepogateError {
  readonly code = 'REPO_BUSY';
  override name = 'RepoBusyError';

  /** `pool`: no connection came free in time; `statement`: a statement ran past its timeout. */
  readonly wait: 'pool' | 'statement';

  constructor(readonly repo: string, reason = 'is busy', wait: 'pool' | 'statement' = 'pool') {
    super(`Repo "${repo}" ${reason}; try again shortly.`, { code: 'REPO_BUSY', repo });
    this.wait = wait;
  }
}

/** The database refused: the client class's role lacks the privilege. */
export class ForbiddenError extends RepogateError {
  readonly code = 'FORBIDDEN';
  override name = 'ForbiddenError';

  constructor(message = 'Your client class may not access this data.') {
    super(message, { code: 'FORBIDDEN' });
  }
}

/**
 * A subgraph service asked by a client class that does not see its subgraph (the `ml` class of
 * main's): HTTP 403 before anything is parsed, as the gateway would not show it the fields.
 */
export class ClassNotServedError extends RepogateError {
  readonly code = 'FORBIDDEN';
  override name = 'ClassNotServedError';

  constructor(subgraph: string, clientClass: string) {
    super(`Client class ${clientClass} does not see the ${subgraph} subgraph.`, { code: 'FORBIDDEN', http: { status: 403 } });
  }
}

/** No token, a bad signature, an expired token or an unknown class: HTTP 401. */
export class UnauthenticatedError extends RepogateError {
  readonly code = 'UNAUTHENTICATED';
  override name = 'UnauthenticatedError';

  constructor(message: string) {
    super(message, { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } });
  }
}

export class TenantUnknownError extends RepogateError {
  readonly code = 'TENANT_UNKNOWN';
  override name = 'TenantUnknownError';

  constructor(tenant: string) {
    super(`Tenant "${tenant}" is unknown.`, { code: 'TENANT_UNKNOWN', http: { status: 403 } });
  }
}

export class TenantSuspendedError extends RepogateError {
  readonly code = 'TENANT_SUSPENDED';
  override name = 'TenantSuspendedError';

  constructor(tenant: string) {
    super(`Tenant "${tenant}" is suspended.`, { code: 'TENANT_SUSPENDED', http: { status: 403 } });
  }
}

/** Which of a class's operation limits an operation went past (the names of its `limits` config). */
export type OperationLimit = 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxTokens' | 'maxCost';

/** An operation over one of its client class's limits, refused before it ran. */
export class OperationLimitError extends RepogateError {
  readonly code = 'OPERATION_LIMIT_EXCEEDED';
  override name = 'OperationLimitError';

  constructor(what: string, limit: OperationLimit, max: number, found: number | undefined, clientClass: string) {
    const foundText = found === undefined ? '' : `, found ${found}`;
    super(`${what} limit of ${max} exceeded${foundText} (client class ${clientClass}).`, {
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: { name: limit, max, ...(found !== undefined && { found }), clientClass },
      http: { status: 400 },
    });
  }
}

export function isRepogateError(error: unknown): error is RepogateError {
  return error instanceof RepogateError;
}

/** More open subscriptions than the class allows per token or per process. */
export class SubscriptionLimitError extends RepogateError {
  readonly code = 'SUBSCRIPTION_LIMIT';
  override name = 'SubscriptionLimitError';

  constructor(scope: 'token' | 'process', max: number, clientClass: string) {
    super(`At most ${max} open subscriptions per ${scope} for client class ${clientClass}; close one first.`, { code: 'SUBSCRIPTION_LIMIT', limit: { scope, max } });
  }
}

/** A subscriber that fell too far behind: its subscription ends rather than the gateway holding its events. */
export class SubscriptionOverflowError extends RepogateError {
  readonly code = 'SUBSCRIPTION_OVERFLOW';
  override name = 'SubscriptionOverflowError';

  constructor(queued: number) {
    super(`The subscription fell ${queued} events behind and was ended; subscribe again (and read faster).`, { code: 'SUBSCRIPTION_OVERFLOW' });
  }
}

/** The live feed was interrupted (its repo restarted): events of that time may be missing. */
export class LiveGapError extends RepogateError {
  readonly code = 'LIVE_GAP';
  override name = 'LiveGapError';

  constructor(gap: { from: Date; to: Date }) {
    super(`The live feed was interrupted from ${gap.from.toISOString()} to ${gap.to.toISOString()}; fixes of that time may be missing here (query them).`, {
      code: 'LIVE_GAP', gap: { from: gap.from.toISOString(), to: gap.to.toISOString() },
    });
  }
}
