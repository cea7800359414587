/** positionsInArea: the tenant's fixes in a box and a time window, keyset-paged. */
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import { intInRange, timeWindow } from '../../src/subgraph-kit/arguments.js';
import { MAX_PAGE_SIZE } from '../../src/subgraph-kit/connection.js';
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

const CURSOR_PREFIX = 'a1:';

function encode(row: sql.PositionRow): string {
  return Buffer.from(`${CURSOR_PREFIX}${row.recordedAt.toISOString()}|${row.deviceId}`).toString('base64url');
}

function decode(cursor: string | null | undefined): [Date, string] | null {
  if (cursor == null) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^a1:(\d{4}-\d\d-\d\dT[\d:.]+Z)\|(\d{1,18})$/.exec(text);
  const at = match ? new Date(match[1]!) : undefined;
  if (!match || !at || Number.isNaN(at.getTime())) throw new BadUserInputError('Argument "after" is not a valid cursor.', 'after');
  return [at, match[2]!];
}

export async function positionsInArea(_root: unknown, args: AreaArgs, { telemetry, tenant }: TelemetryContext) {
  const window = timeWindow(args, { hours: telemetry.windows.maxAreaWindowHours });
  if (args.minLatitude > args.maxLatitude) throw new BadUserInputError('Argument "minLatitude" must not exceed "maxLatitude".', 'minLatitude');
  if (args.minLongitude > args.maxLongitude) throw new BadUserInputError('Argument "minLongitude" must not exceed "maxLongitude".', 'minLongitude');
  const first = intInRange(args.first ?? 100, 0, MAX_PAGE_SIZE, 'first');
  const after = decode(args.after);
  const rows = await telemetry.repo.read<sql.PositionRow>(sql.positionsInArea, [
    tenant, window.from, window.to, args.minLatitude, args.maxLatitude, args.minLongitude, args.maxLongitude,
    after?.[0] ?? null, after?.[1] ?? null, first + 1,
  ]);
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: encode(row), node: row }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
