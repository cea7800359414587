/**
 * PooledDatabase: the control flow every dialect shares, over a fake driver that records what it
 * is asked. begin → work → commit, or rollback; a connection whose server was lost is destroyed,
 * not pooled; driver errors reach the caller translated.
 */
import { describe, expect, it } from 'vitest';
import { RepoBusyError, RepoUnavailableError } from '../../src/errors.js';
import { PooledDatabase, type Driver } from '../../src/repo/pooled-database.js';

/** pg's word for a server gone mid-statement. */
const lost = () => new Error('Connection terminated unexpectedly');

/** A driver whose statements answer from `answers` (an Error is thrown), logging every call. */
function fakeDriver(answers: Record<string, unknown[] | Error> = {}, acquireError?: Error, pooled = false) {
  const log: string[] = [];
  const driver: Driver<'conn'> = {
    statements: { begin: pooled ? 'BEGIN; SET LOCAL statement_timeout = 1000' : 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' },
    perTransaction: pooled,
    acquire: async () => {
      log.push('acquire');
      if (acquireError) throw acquireError;
      return 'conn';
    },
    run: async <R extends object>(_: 'conn', sql: string) => {
      log.push(sql);
      const answer = answers[sql] ?? [];
      if (answer instanceof Error) throw answer;
      return answer as R[];
    },
    release: (_, broken) => void log.push(broken ? 'destroy' : 'release'),
    stats: () => ({ total: 1, idle: 1, waiting: 0 }),
    close: async () => {},
  };
  return { log, database: new PooledDatabase('main', driver) };
}

describe('PooledDatabase', () => {
  it('runs a statement on a connection and pools it again', async () => {
    const { log, database } = fakeDriver({ 'SELECT 1': [{ one: 1 }] });
    expect({ rows: await database.query('SELECT 1'), log }).toEqual({ rows: [{ one: 1 }], log: ['acquire', 'SELECT 1', 'release'] });
  });

  it('destroys a connection whose server was lost, and says REPO_UNAVAILABLE', async () => {
    const { log, database } = fakeDriver({ 'SELECT 1': lost() });
    await expect(database.query('SELECT 1')).rejects.toEqual(new RepoUnavailableError('main'));
    expect(log).toEqual(['acquire', 'SELECT 1', 'destroy']);
  });

  it('commits a transaction whose work succeeds', async () => {
    const { log, database } = fakeDriver();
    const result = await database.transaction(async (tx) => {
      await tx.query('UPDATE t SET x = 1');
      return 'done';
    });
    expect({ result, log }).toEqual({ result: 'done', log: ['acquire', 'BEGIN', 'UPDATE t SET x = 1', 'COMMIT', 'release'] });
  });

  it('rolls back a transaction whose work fails, and rethrows its error', async () => {
    const { log, database } = fakeDriver();
    const failure = new Error('work failed');
    await expect(database.transaction(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(log).toEqual(['acquire', 'BEGIN', 'ROLLBACK', 'release']);
  });

  it('asks a lost server for no ROLLBACK and destroys the connection', async () => {
    const { log, database } = fakeDriver({ 'UPDATE t SET x = 1': lost() });
    await expect(database.transaction((tx) => tx.query('UPDATE t SET x = 1'))).rejects.toEqual(new RepoUnavailableError('main'));
    expect(log).toEqual(['acquire', 'BEGIN', 'UPDATE t SET x = 1', 'destroy']);
  });

  it('destroys a connection whose ROLLBACK did not succeed', async () => {
    const { log, database } = fakeDriver({ ROLLBACK: new Error('ROLLBACK failed') });
    await expect(database.transaction(() => Promise.reject(new Error('work failed')))).rejects.toEqual(new Error('work failed'));
    expect(log).toEqual(['acquire', 'BEGIN', 'ROLLBACK', 'destroy']);
  });

  it('runs a lone statement in a transaction of its own behind a pooler in transaction mode, its settings in the BEGIN', async () => {
    const { log, database } = fakeDriver({ 'SELECT 1': [{ one: 1 }] }, undefined, true);
    expect({ rows: await database.query('SELECT 1'), log }).toEqual({
      rows: [{ one: 1 }],
      log: ['acquire', 'BEGIN; SET LOCAL statement_timeout = 1000', 'SELECT 1', 'COMMIT', 'release'],
    });
  });

  it('rolls back a lone statement that failed behind a pooler, and says why', async () => {
    const timedOut = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const { log, database } = fakeDriver({ 'SELECT pg_sleep(3)': timedOut }, undefined, true);
    await expect(database.query('SELECT pg_sleep(3)')).rejects.toEqual(new RepoBusyError('main', 'took longer than its statement timeout', 'statement'));
    expect(log).toEqual(['acquire', 'BEGIN; SET LOCAL statement_timeout = 1000', 'SELECT pg_sleep(3)', 'ROLLBACK', 'release']);
  });

  it.each([
    ['a full pool', new RepoBusyError('main'), new RepoBusyError('main')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), new RepoUnavailableError('main')],
  ])('reports %s at acquire as its client error, running nothing', async (_, acquireError, expected) => {
    const { log, database } = fakeDriver({}, acquireError);
    await expect(database.query('SELECT 1')).rejects.toEqual(expected);
    expect(log).toEqual(['acquire']);
  });
});
