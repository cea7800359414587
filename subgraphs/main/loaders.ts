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

  /**
   * A page of companies asked for with their users' pages (and those users' time entries in
   * `window`): one statement. Company.users and User.timeEntries then find their rows in their
   * loaders, primed under the arguments they will ask with. A window reaching before the
   * horizon is left to timeEntriesByUser, which adds the archive's part or refuses it.
   */
  async function companiesPageWithUsers(companies: UsersPageArgs, users: UsersPageArgs, window: TimeWindow | null): Promise<sql.CompanyRow[]> {
    const rows = window
      ? await repo.read<Record<string, unknown>>(statements.companiesPageWithUsersAndEntries, [companies.afterId, companies.limit, users.afterId, users.limit, window.from, window.to])
      : await repo.read<Record<string, unknown>>(statements.companiesPageWithUsers, [companies.afterId, companies.limit, users.afterId, users.limit]);
    const primesEntries = window !== null && !reachesBeforeHorizon(window, (rows[0]?.movedBefore as Date | null) ?? null);
    const usersOf = new Map<string, sql.UserRow[]>();
    const page: sql.CompanyRow[] = [];
    for (const { entries, movedBefore: _, ...row } of rows) {
      const [company, user] = splitPrefixed<sql.CompanyRow, sql.UserRow>(row, 'user');
      let companyUsers = usersOf.get(company.id);
      if (!companyUsers) {
        usersOf.set(company.id, (companyUsers = []));
        page.push(company);
      }
      if (!user) continue;
      companyUsers.push(user);
      if (primesEntries) timeEntriesByUser.prime({ key: user.id, args: window }, rowsFromJson<sql.TimeEntryRow>(entries, ['startedAt', 'endedAt']));
    }
    for (const [id, companyUsers] of usersOf) usersPageByCompany.prime({ key: id, args: users }, companyUsers);
    return page;
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
    companiesPageWithUsers,
    /** One row per user, and one more per user from the archive when the window reaches into it. */
    trackedSecondsByUser: groupLoaderWithArgs(
      async (ids, window: TimeWindow) =>
        acrossTimeEntryHorizon(
          await repo.read<{ userId: string; seconds: number } & HorizonRow>(sql.trackedSecondsByUsers, [ids, window.from, window.to]),
          window,
          (archive, archived) => archive.trackedSeconds(ids, archived),
        ),
      (row) => row.userId,
    ),
  };
}

export type MainLoaders = ReturnType<typeof createLoaders>;

/** The tenant's legacy customer codes, so the legacy subgraph reaches only the tenant's customers. */
export async function tenantCustomerCodes(repo: Repo): Promise<ReadonlySet<string>> {
  const rows = await repo.read<{ code: string }>(sql.legacyCustomerCodes);
  return new Set(rows.map((row) => row.code));
}
