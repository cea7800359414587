import type { Repo } from '../../src/repo/repo.js';
import type { TimeWindow } from '../../src/subgraph-kit/arguments.js';
import { acrossHorizon, reachesBeforeHorizon, type HorizonRow } from '../../src/subgraph-kit/horizon.js';
import { rowsFromJson, splitPrefixed } from '../../src/subgraph-kit/columns.js';
import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import type { ArchiveReader, ArchiveWindow } from '../../src/subgraph-kit/request-facts.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

export interface UsersPageArgs {
  afterId: string | null;
  limit: number;
}

/** Companies to read with their users: by id, or a page (after id, page size + 1). */
export type CompaniesSource = { ids: readonly string[] } | { page: UsersPageArgs };

/** What a read of companies carries along for their users (join-ahead): null where not asked. */
export interface UsersAhead {
  users: UsersPageArgs;
  entries: TimeWindow | null;
  seconds: TimeWindow | null;
}

/** Made per request: a loader caches what it loaded, and that must never outlive the request. */
export function createLoaders(repo: Repo, request: Pick<SubgraphRequest, 'canSee' | 'facts'>) {
  const statements = sql.statementsFor(request.canSee);
  /** A user's window of time entries reaches back into the archive where it starts before the horizon. */
  const acrossTimeEntryHorizon = <R extends { userId: string | null }>(
    rows: readonly (R & HorizonRow)[],
    window: TimeWindow,
    older: (archive: ArchiveReader, window: ArchiveWindow) => Promise<R[]>,
  ) => acrossHorizon({ rows, isRow: (row) => row.userId !== null, window, what: 'time entries', archive: request.facts.archive, older });
  const companyById = rowLoader('Company', (ids) => repo.read<sql.CompanyRow>(statements.companiesByIds, [ids]), (row) => row.id);
  const userById = rowLoader('User', (ids) => repo.read<sql.UserRow>(statements.usersByIds, [ids]), (row) => row.id);
  const usersPageByCompany = groupLoaderWithArgs(
    (ids, args: UsersPageArgs) => repo.read<sql.UserRow>(statements.usersPageByCompanies, [ids, args.afterId, args.limit]),
    (row) => row.companyId,
  );
  const timeEntriesByUser = groupLoaderWithArgs(
    async (ids, window: TimeWindow) =>
      acrossTimeEntryHorizon(
        await repo.read<sql.TimeEntryRow & HorizonRow>(statements.timeEntriesByUsers, [ids, window.from, window.to]),
        window,
        (archive, archived) => archive.timeEntries(ids, archived),
      ),
    (row) => row.userId,
  );
  /** One row per user, and one more per user from the archive when the window reaches into it. */
  const trackedSecondsByUser = groupLoaderWithArgs(
    async (ids, window: TimeWindow) =>
      acrossTimeEntryHorizon(
        await repo.read<{ userId: string; seconds: number } & HorizonRow>(sql.trackedSecondsByUsers, [ids, window.from, window.to]),
        window,
        (archive, archived) => archive.trackedSeconds(ids, archived),
      ),
    (row) => row.userId,
  );

  /**
   * Companies (by id, or a page of them) asked for with their users' pages, and those users'
   * time entries or tracked seconds: one statement. Company.users, User.timeEntries and
   * User.trackedSeconds then find their rows in their loaders, primed under the arguments they
   * will ask with. A window reaching before the horizon is left to those loaders, which add the
   * archive's part or refuse it.
   */
  async function companiesWithUsers(source: CompaniesSource, ahead: UsersAhead): Promise<sql.CompanyRow[]> {
    const { users, entries, seconds } = ahead;
    const statement = statements.companiesWithUsers({ byIds: 'ids' in source, entries: entries !== null, seconds: seconds !== null });
    const parameters = [
      ...('ids' in source ? [source.ids] : [source.page.afterId, source.page.limit]),
      users.afterId, users.limit,
      ...(entries ? [entries.from, entries.to] : []),
      ...(seconds ? [seconds.from, seconds.to] : []),
    ];
    const rows = await repo.read<Record<string, unknown>>(statement, parameters);
    const horizon = (rows[0]?.movedBefore as Date | null | undefined) ?? null;
    const primes = (window: TimeWindow | null): window is TimeWindow => window !== null && !reachesBeforeHorizon(window, horizon);
    const [primesEntries, primesSeconds] = [primes(entries), primes(seconds)];
    const usersOf = new Map<string, sql.UserRow[]>();
    const found: sql.CompanyRow[] = [];
    for (const { entries: userEntries, seconds: userSeconds, ...row } of rows) {
      delete row.movedBefore;
      const [company, user] = splitPrefixed<sql.CompanyRow, sql.UserRow>(row, 'user');
      let companyUsers = usersOf.get(company.id);
      if (!companyUsers) {
        usersOf.set(company.id, (companyUsers = []));
        found.push(company);
        companyById.prime(company.id, company);
      }
      if (!user) continue;
      companyUsers.push(user);
      if (primesEntries) timeEntriesByUser.prime({ key: user.id, args: entries! }, rowsFromJson<sql.TimeEntryRow>(userEntries, ['startedAt', 'endedAt']));
      if (primesSeconds) trackedSecondsByUser.prime({ key: user.id, args: seconds! }, [{ userId: user.id, seconds: userSeconds as number }]);
    }
    for (const [id, companyUsers] of usersOf) usersPageByCompany.prime({ key: id, args: users }, companyUsers);
    return found;
  }

  return {
    statements,
    companyById,
    companyByLegacyCode: rowLoader(
      'Company',
      (codes) => repo.read<sql.CompanyRow>(statements.companiesByLegacyCodes, [codes]),
      (row) => row.legacyCustomerCode ?? '',
    ),
    userById,
    /**
     * Users asked for with their company: one statement. User.company then finds its row in
     * companyById, and a later lookup of the same user (Device.user) in userById.
     */
    userWithCompanyById: rowLoader(
      'User',
      async (ids) =>
        (await repo.read<Record<string, unknown>>(statements.usersWithCompaniesByIds, [ids])).map((row) => {
          const [user, company] = splitPrefixed<sql.UserRow, sql.CompanyRow>(row, 'company');
          if (company) companyById.prime(company.id, company);
          userById.prime(user.id, user);
          return user;
        }),
      (row) => row.id,
    ),
    projectById: rowLoader('Project', (ids) => repo.read<sql.ProjectRow>(sql.projectsByIds, [ids]), (row) => row.id),
    timeEntryById: rowLoader('TimeEntry', (ids) => repo.read<sql.TimeEntryRow>(statements.timeEntriesByIds, [ids]), (row) => row.id),
    projectsByCompany: groupLoader(
      (ids) => repo.read<sql.ProjectRow>(sql.projectsByCompanies, [ids]),
      (row) => row.companyId,
    ),
    usersPageByCompany,
    timeEntriesByUser,
    companiesWithUsers,
    trackedSecondsByUser,
  };
}

export type MainLoaders = ReturnType<typeof createLoaders>;

/** The tenant's legacy customer codes, so the legacy subgraph reaches only the tenant's customers. */
export async function tenantCustomerCodes(repo: Repo): Promise<ReadonlySet<string>> {
  const rows = await repo.read<{ code: string }>(sql.legacyCustomerCodes);
  return new Set(rows.map((row) => row.code));
}
