import type { Repo } from '../../src/repo/repo.js';
import type { TimeWindow } from '../../src/subgraph-kit/arguments.js';
import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

export interface TrackArgs extends TimeWindow {
  maxPoints: number | null;
}

/** Made per request, for the request's tenant: devices of other tenants are never loaded. */
export function createLoaders(repo: Repo, { tenant, canSee }: Pick<SubgraphRequest, 'tenant' | 'canSee'>) {
  const statements = sql.statementsFor(canSee);
  return {
    statements,
    deviceById: rowLoader('Device', (ids) => repo.read<sql.DeviceRow>(statements.devicesByIds, [tenant, ids]), (row) => row.id),
    devicesByUser: groupLoader(
      (userIds) => repo.read<sql.DeviceRow>(statements.devicesByUsers, [tenant, userIds]),
      (row) => row.userId ?? '',
    ),
    trackByDevice: groupLoaderWithArgs(
      (ids, { from, to, maxPoints }: TrackArgs) =>
        maxPoints === null
          ? repo.read<sql.PositionRow>(sql.tracks, [ids, from, to])
          : repo.read<sql.PositionRow>(sql.tracksDownsampled, [ids, from, to, maxPoints]),
      (row) => row.deviceId,
    ),
  };
}

export type TelemetryLoaders = ReturnType<typeof createLoaders>;
