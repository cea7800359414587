import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import type { TimeWindow } from '../../src/subgraph-kit/arguments.js';
import type { Repo } from '../../src/repo/repo.js';
import * as sql from './sql.js';

export interface UsersPageArgs {
  afterId: string | null;
  limit: number;
}

/** Made per request: a loader caches what it loaded, and that must never outlive the request. */
export function createLoaders(repo: Repo) {
  return {
    companyById: rowLoader('Company', (ids) => repo.query<sql.CompanyRow>(sql.companiesByIds, [ids]), (row) => row.id),
    companyByLegacyCode: rowLoader(
      'Company',
      (codes) => repo.query<sql.CompanyRow>(sql.companiesByLegacyCodes, [codes]),
      (row) => row.legacyCustomerCode ?? '',
    ),
    userById: rowLoader('User', (ids) => repo.query<sql.UserRow>(sql.usersByIds, [ids]), (row) => row.id),
    projectById: rowLoader('Project', (ids) => repo.query<sql.ProjectRow>(sql.projectsByIds, [ids]), (row) => row.id),
    projectsByCompany: groupLoader(
      (ids) => repo.query<sql.ProjectRow>(sql.projectsByCompanies, [ids]),
      (row) => row.companyId,
    ),
    usersPageByCompany: groupLoaderWithArgs(
      (ids, args: UsersPageArgs) => repo.query<sql.UserRow>(sql.usersPageByCompanies, [ids, args.afterId, args.limit]),
      (row) => row.companyId,
    ),
    timeEntriesByUser: groupLoaderWithArgs(
      (ids, window: TimeWindow) => repo.query<sql.TimeEntryRow>(sql.timeEntriesByUsers, [ids, window.from, window.to]),
      (row) => row.userId,
    ),
    trackedSecondsByUser: groupLoaderWithArgs(
      (ids, window: TimeWindow) =>
        repo.query<{ userId: string; seconds: number }>(sql.trackedSecondsByUsers, [ids, window.from, window.to]),
      (row) => row.userId,
    ),
  };
}

export type MainLoaders = ReturnType<typeof createLoaders>;
