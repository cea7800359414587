/** translateDriverError: what a driver error means for the client; the rest is rethrown, to be masked. */
import { describe, expect, it } from 'vitest';
import { ForbiddenError, RepoBusyError, RepoUnavailableError } from '../../src/errors.js';
import { translateDriverError } from '../../src/repo/driver-errors.js';

const driverError = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('translateDriverError', () => {
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['PROTOCOL_CONNECTION_LOST', 'Connection lost: The server closed the connection.'],
    ['57P01', 'terminating connection due to administrator command'],
    ['53300', 'sorry, too many clients already'],
  ])('makes code %s REPO_UNAVAILABLE', (code, message) => {
    expect(translateDriverError('main', driverError(message, code))).toEqual(new RepoUnavailableError('main'));
  });

  it.each(['Connection terminated unexpectedly', 'Query read timeout', 'Cannot use a pool after calling end on the pool', 'Pool is closed.'])(
    'makes pg message %j REPO_UNAVAILABLE',
    (message) => {
      expect(translateDriverError('telemetry', driverError(message))).toEqual(new RepoUnavailableError('telemetry'));
    },
  );

  it('makes an AggregateError with one unreachable address REPO_UNAVAILABLE', () => {
    const dual = new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]);
    expect(translateDriverError('main', dual)).toEqual(new RepoUnavailableError('main'));
  });

  it.each(['42501', 'ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR'])('makes %s FORBIDDEN', (code) => {
    expect(translateDriverError('legacy', driverError('permission denied', code))).toEqual(new ForbiddenError());
  });

  it.each(['57014', 'ER_STATEMENT_TIMEOUT'])('makes statement timeout %s REPO_BUSY', (code) => {
    expect(translateDriverError('legacy', driverError('canceling statement due to statement timeout', code))).toEqual(
      new RepoBusyError('legacy', 'took longer than its statement timeout', 'statement'),
    );
  });

  it.each(['query_wait_timeout', 'no more connections allowed (max_client_conn)'])('makes PgBouncer\'s %j REPO_BUSY', (message) => {
    expect(translateDriverError('main', driverError(message, '08P01'))).toEqual(new RepoBusyError('main'));
  });

  it('passes its own errors through unchanged', () => {
    const busy = new RepoBusyError('main');
    expect(translateDriverError('telemetry', busy)).toBe(busy);
  });

  it('rethrows anything else as is, to be masked', () => {
    const syntax = driverError('syntax error at or near "SELEC"', '42601');
    expect(translateDriverError('main', syntax)).toBe(syntax);
  });
});
