import type { Repo } from '../../src/repo/repo.js';
import type { TimeWindow } from '../../src/subgraph-kit/arguments.js';
import { rowsFromJson } from '../../src/subgraph-kit/columns.js';
import { acrossHorizon, reachesBeforeHorizon, type HorizonRow } from '../../src/subgraph-kit/horizon.js';
import { groupLoader, groupLoaderWithArgs, loader, rowLoader } from '../../src/subgraph-kit/loaders.js';
import { firstPerBucket } from '../../src/subgraph-kit/track-buckets.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

export interface TrackArgs extends TimeWindow {
  maxPoints: number | null;
}

/** A batch of tracks: the active fixes, and the archived ones where the window reaches before the horizon. */
async function tracks(repo: Repo, facts: SubgraphRequest['facts'], ids: readonly string[], args: TrackArgs): Promise<sql.PositionRow[]> {
  const { maxPoints } = args;
  const rows = await repo.read<sql.PositionRow & HorizonRow>(
    maxPoints === null ? sql.tracks : sql.tracksDownsampled,
    maxPoints === null ? [ids, args.from, args.to] : [ids, args.from, args.to, maxPoints],
  );
  const track = await acrossHorizon({
    rows,
    isRow: (row) => row.deviceId !== null,
    window: args,
    what: 'fixes',
    archive: facts.archive,
    older: (archive, window) => archive.positions(ids, { ...window, maxPoints }),
  });
  // Each part was downsampled on its own; where they meet, one bucket may hold a fix of each.
  return maxPoints === null ? track : firstPerBucket(track, (row) => row.deviceId, { ...args, maxPoints });
}

/** Made per request, for the request's tenant: devices of other tenants are never loaded. */
export function createLoaders(repo: Repo, { tenant, canSee, facts }: Pick<SubgraphRequest, 'tenant' | 'canSee' | 'facts'>) {
  const statements = sql.statementsFor(canSee);
  const deviceById = rowLoader('Device', (ids) => repo.read<sql.DeviceRow>(statements.devicesByIds, [tenant, ids]), (row) => row.id);
  const trackByDevice = groupLoaderWithArgs((ids, args: TrackArgs) => tracks(repo, facts, ids, args), (row) => row.deviceId);

  /**
   * A device asked for with its whole track in `window` (not downsampled): one statement.
   * Device.track then finds its fixes in trackByDevice, primed under the arguments it asks
   * with; a window reaching before the horizon is left to it (it adds the archive's part or
   * refuses it, at the track's own path). Null for a device the tenant does not have.
   */
  async function deviceWithTrack(id: string, window: TimeWindow): Promise<sql.DeviceRow | null> {
    const [row] = await repo.read<sql.DeviceRow & HorizonRow & { track: unknown }>(statements.devicesWithTracksByIds, [tenant, [id], window.from, window.to]);
    if (!row) return null;
    const { track, movedBefore, ...device } = row;
    deviceById.prime(device.id, device);
    if (!reachesBeforeHorizon(window, movedBefore)) trackByDevice.prime({ key: device.id, args: { ...window, maxPoints: null } }, rowsFromJson<sql.PositionRow>(track, ['recordedAt']));
    return device;
  }

  return {
    statements,
    deviceById,
    deviceWithTrack,
    devicesByUser: groupLoader(
      (userIds) => repo.read<sql.DeviceRow>(statements.devicesByUsers, [tenant, userIds]),
      (row) => row.userId ?? '',
    ),
    trackByDevice,
    /** Subscriptions: fixes by `device|micros`, the keys of the notices, from the primary that announced them. */
    fixByKey: rowLoader(
      'Position',
      (keys) => {
        const [devices, instants] = [keys.map((key) => key.split('|')[0]!), keys.map((key) => key.split('|')[1]!)];
        return repo.readAnnounced<sql.LiveFixRow>(sql.fixesByKeys, [devices, instants]);
      },
      (row) => `${row.deviceId}|${row.micros}`,
    ),
    /** Subscriptions: the fixes of a notice too large to list them (`device|from|to`, epoch microseconds). */
    fixesInRange: loader(async (ranges: readonly string[]) =>
      Promise.all(ranges.map((range) => repo.readAnnounced<sql.LiveFixRow>(sql.fixesInRange, range.split('|'))))),
  };
}

export type TelemetryLoaders = ReturnType<typeof createLoaders>;
