/** positionsInArea: the tenant's fixes in a box and a time window, keyset-paged. */
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import { intInRange, timeWindow } from '../../src/subgraph-kit/arguments.js';
import { instantCursor, MAX_PAGE_SIZE, pageToConnection } from '../../src/subgraph-kit/connection.js';
import type { TelemetryContext } from './resolvers.js';
import * as sql from './sql.js';

interface AreaArgs {
  minLatitude: number;
  minLongitude: number;
  maxLatitude: number;
  maxLongitude: number;
  from: Date;
  to: Date;
  first?: number | null;
  after?: string | null;
}

/** Pages in (recordedAt, device) order. */
const cursor = instantCursor('a1');

export async function positionsInArea(_root: unknown, args: AreaArgs, { telemetry, tenant }: TelemetryContext) {
  const window = timeWindow(args, { hours: telemetry.windows.maxAreaWindowHours });
  if (args.minLatitude > args.maxLatitude) throw new BadUserInputError('Argument "minLatitude" must not exceed "maxLatitude".', 'minLatitude');
  if (args.minLongitude > args.maxLongitude) throw new BadUserInputError('Argument "minLongitude" must not exceed "maxLongitude".', 'minLongitude');
  const first = intInRange(args.first ?? 100, 0, MAX_PAGE_SIZE, 'first');
  const after = cursor.decode(args.after);
  const rows = await telemetry.repo.read<sql.PositionRow>(sql.positionsInArea, [
    tenant, window.from, window.to, args.minLatitude, args.maxLatitude, args.minLongitude, args.maxLongitude,
    after?.[0] ?? null, after?.[1] ?? null, first + 1,
  ]);
  return pageToConnection(rows, first, (row) => cursor.encode(row.recordedAt, row.deviceId));
}
