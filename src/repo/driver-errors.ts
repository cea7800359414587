/**
 * What a driver error means for the client. Unreachable → REPO_UNAVAILABLE; pool exhausted (the
 * class pool's, or a pooler's in front of the repo) or statement timeout → REPO_BUSY; privilege
 * refused by the database → FORBIDDEN. Anything else is a bug and is rethrown as is, to be masked.
 */
import { ForbiddenError, RepoBusyError, RepoUnavailableError } from '../errors.js';

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

// PostgreSQL 42501 insufficient_privilege; MariaDB table / column access denied, and a database
// the account has no privilege on at all (MariaDB refuses the connection itself: class ml on legacy).
const forbiddenCodes = new Set(['42501', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);

// PgBouncer's refusals (SQLSTATE 08P01, its own) that mean "wait": its server pool is busy, or its client slots are full.
const pgbouncerBusy = /^(query_wait_timeout|no more connections allowed)/;

// PostgreSQL 57014 query_canceled (statement_timeout); MariaDB max_statement_time exceeded.
const timeoutCodes = new Set(['57014', 'ER_STATEMENT_TIMEOUT']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (unreachableCodes.has(codeOf(error) ?? '')) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  // pg reports a lost server, and its client-side read timeout (a hung server), only in the
  // message; a pool closed by shutdown is unavailable too.
  return /Connection terminated|Connection ended unexpectedly|connect ECONNREFUSED|Query read timeout|Cannot use a pool after calling end|Pool is closed/i.test(error.message);
}

export function translateDriverError(repo: string, error: unknown): unknown {
  if (error instanceof RepoBusyError || error instanceof RepoUnavailableError) return error;
  const code = codeOf(error);
  if (code && forbiddenCodes.has(code)) return new ForbiddenError();
  if (code && timeoutCodes.has(code)) return new RepoBusyError(repo, 'took longer than its statement timeout', 'statement');
  // pg-pool's wait in the queue timed out: every connection was taken (by statements on a hung server, say).
  if (error instanceof Error && error.message === 'timeout exceeded when trying to connect') return new RepoBusyError(repo);
  // A pooler's (PgBouncer's) wait for one of its server connections ran out (`query_wait_timeout`:
  // its pool for the class's role stayed busy, or it cannot reach the server; it does not say
  // which), or it takes no more clients: the class pool's wait, one hop further.
  if (code === '08P01' && pgbouncerBusy.test((error as Error).message)) return new RepoBusyError(repo);
  if (isUnreachable(error)) return new RepoUnavailableError(repo);
  return error;
}
