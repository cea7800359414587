/**
 * The training repo as the archive of the active repos (the `archive` request fact): the older
 * part of a track or of a user's time entries, for a window that reaches before the horizon.
 * Each call is one statement for all the keys the active subgraph's loader batched.
 */
import type { Repo } from '../../src/repo/repo.js';
import type { ArchiveReader } from '../../src/subgraph-kit/request-facts.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

export function archiveReader(repo: Repo, { tenant, canSee }: Pick<SubgraphRequest, 'tenant' | 'canSee'>): ArchiveReader {
  const statements = sql.statementsFor(canSee);
  return {
    positions: (deviceIds, { from, to, before, maxPoints }) =>
      maxPoints === null
        ? repo.read<sql.PositionRow>(sql.tracks, [tenant, deviceIds, from, to, before])
        : repo.read<sql.PositionRow>(sql.tracksDownsampled, [tenant, deviceIds, from, to, before, maxPoints]),
    timeEntries: (userIds, { from, to, before }) => repo.read<sql.TimeEntryRow>(statements.timeEntriesByUsers, [tenant, userIds, from, to, before]),
    trackedSeconds: (userIds, { from, to, before }) => repo.read<{ userId: string; seconds: number }>(sql.trackedSecondsByUsers, [tenant, userIds, from, to, before]),
  };
}
