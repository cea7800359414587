import type { IResolvers } from '@graphql-tools/utils';
import { idFilter, timeWindow } from '../../src/subgraph-kit/arguments.js';
import { instantCursor, instantPageArgs, pageToConnection } from '../../src/subgraph-kit/connection.js';
import type { RequestScope, SubgraphScope } from '../../src/subgraph-kit/context.js';
import { scalarResolvers } from '../../src/subgraph-kit/scalars.js';
import * as sql from './sql.js';

export interface TrainingContext extends RequestScope {
  training: SubgraphScope<{ statements: ReturnType<typeof sql.statementsFor> }>;
}

interface PageArgs {
  from: Date;
  to: Date;
  first?: number | null;
  after?: string | null;
}

const positionCursor = instantCursor('tp1');
const timeEntryCursor = instantCursor('tt1');

export const resolvers: IResolvers<unknown, TrainingContext> = {
  DateTime: scalarResolvers.DateTime,
  Latitude: scalarResolvers.Latitude,
  Longitude: scalarResolvers.Longitude,
  Query: {
    async trainingPositions(_root, args: PageArgs & { deviceIds?: string[] | null }, { training, tenant }) {
      const window = timeWindow(args);
      const { first, after } = instantPageArgs(args, 100, positionCursor);
      const rows = await training.repo.read<sql.PositionRow>(sql.positionsPage, [
        tenant, window.from, window.to, idFilter(args.deviceIds, 'deviceIds'), after?.[0] ?? null, after?.[1] ?? null, first + 1,
      ]);
      return pageToConnection(rows, first, (row) => positionCursor.encode(row.recordedAt, row.deviceId));
    },
    async trainingTimeEntries(_root, args: PageArgs & { userIds?: string[] | null }, { training, tenant }) {
      const window = timeWindow(args);
      const { first, after } = instantPageArgs(args, 100, timeEntryCursor);
      const rows = await training.repo.read<sql.TimeEntryRow>(training.loaders.statements.timeEntriesPage, [
        tenant, window.from, window.to, idFilter(args.userIds, 'userIds'), after?.[0] ?? null, after?.[1] ?? null, first + 1,
      ]);
      return pageToConnection(rows, first, (row) => timeEntryCursor.encode(row.startedAt, row.id));
    },
  },
};
