import type { IResolvers } from '@graphql-tools/utils';
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import type { GraphQLResolveInfo } from 'graphql';
import { isBigintId, timeWindow } from '../../src/subgraph-kit/arguments.js';
import { pageArgs, toConnection } from '../../src/subgraph-kit/connection.js';
import { findById, loadManyOrNull } from '../../src/subgraph-kit/loaders.js';
import { argumentsAt, asksFor } from '../../src/subgraph-kit/lookahead.js';
import { scalarResolvers } from '../../src/subgraph-kit/scalars.js';
import type { SubgraphScope } from '../../src/subgraph-kit/context.js';
import type { MainLoaders, UsersAhead } from './loaders.js';
import * as mutations from './mutations.js';
import * as sql from './sql.js';

export interface MainContext {
  main: SubgraphScope<MainLoaders>;
}

type Args = Record<string, unknown>;
type Window = { from: Date; to: Date };
type Page = { first?: number | null; after?: string | null };


/** The user loader for a selection: with the company joined in when the selection goes on to it. */
const usersFor = (main: MainContext['main'], info: GraphQLResolveInfo) => (asksFor(info, 'company') ? main.loaders.userWithCompanyById : main.loaders.userById);

/**
 * What companies can read in their own statement (join-ahead): their users' pages, and those
 * users' time entries and tracked seconds, where the selection goes on to them at `usersPath`
 * (Q4's companies → users → entries, Q3's company → users → seconds). Null when it does not go
 * to users, or when arguments along the way are at fault: their own resolvers then report that
 * at their own paths.
 */
function usersAhead(info: GraphQLResolveInfo, usersPath: readonly string[]): UsersAhead | null {
  const usersArgs = argumentsAt(info, usersPath);
  if (!usersArgs) return null;
  const windowAt = (field: string) => {
    const asked = argumentsAt(info, [...usersPath, 'edges', 'node', field]) as Window | null;
    return asked && timeWindow(asked);
  };
  try {
    const users = pageArgs(usersArgs, 50);
    return { users: { afterId: users.afterId, limit: users.first + 1 }, entries: windowAt('timeEntries'), seconds: windowAt('trackedSeconds') };
  } catch (error) {
    // A refused argument is the nested field's to report; anything else is a fault.
    if (error instanceof BadUserInputError) return null;
    throw error;
  }
}

export const resolvers: IResolvers<unknown, MainContext> = {
  DateTime: scalarResolvers.DateTime,
  Query: {
    async companies(_root, args: Page, { main }, info) {
      const page = pageArgs(args, 20);
      const ahead = usersAhead(info, ['edges', 'node', 'users']);
      const rows = ahead
        ? await main.loaders.companiesWithUsers({ page: { afterId: page.afterId, limit: page.first + 1 } }, ahead)
        : await main.repo.read<sql.CompanyRow>(main.loaders.statements.companiesPage, [page.afterId, page.first + 1]);
      return toConnection(rows, page.first);
    },
    async company(_root, { id }: { id: string }, { main }, info) {
      const ahead = isBigintId(id) ? usersAhead(info, ['users']) : null;
      return ahead ? ((await main.loaders.companiesWithUsers({ ids: [id] }, ahead))[0] ?? null) : findById(main.loaders.companyById, id);
    },
    user: (_root, { id }: { id: string }, { main }, info) => findById(usersFor(main, info), id),
    // Also the User merge entry point: the gateway fetches users with their company (Device.user.company) this way.
    users: (_root, { ids }: { ids: string[] }, { main }, info) => Promise.all(ids.map((id) => findById(usersFor(main, info), id))),
    _companiesByLegacyCodes: (_root, { codes }: { codes: string[] }, { main }) =>
      loadManyOrNull(main.loaders.companyByLegacyCode, codes),
  },
  Mutation: {
    startTimeEntry: mutations.startTimeEntry,
    stopTimeEntry: mutations.stopTimeEntry,
    updateTimeEntry: mutations.updateTimeEntry,
  },
  Company: {
    async users(company: sql.CompanyRow, args: Page, { main }) {
      const page = pageArgs(args, 50);
      const rows = await main.loaders.usersPageByCompany.load({
        key: company.id,
        args: { afterId: page.afterId, limit: page.first + 1 },
      });
      return toConnection(rows, page.first);
    },
    projects: (company: sql.CompanyRow, _args: Args, { main }) => main.loaders.projectsByCompany.load(company.id),
  },
  User: {
    company: (user: sql.UserRow, _args: Args, { main }) => main.loaders.companyById.load(user.companyId),
    timeEntries: (user: sql.UserRow, args: Window, { main }) =>
      main.loaders.timeEntriesByUser.load({ key: user.id, args: timeWindow(args) }),
    async trackedSeconds(user: sql.UserRow, args: Window, { main }) {
      // The active part, and the archived part when the window reaches before the horizon.
      const parts = await main.loaders.trackedSecondsByUser.load({ key: user.id, args: timeWindow(args) });
      return Math.floor(parts.reduce((seconds, part) => seconds + part.seconds, 0));
    },
  },
  Project: {
    company: (project: sql.ProjectRow, _args: Args, { main }) => main.loaders.companyById.load(project.companyId),
  },
  TimeEntry: {
    user: (entry: sql.TimeEntryRow, _args: Args, { main }) => main.loaders.userById.load(entry.userId),
    project: (entry: sql.TimeEntryRow, _args: Args, { main }) => main.loaders.projectById.load(entry.projectId),
  },
};
