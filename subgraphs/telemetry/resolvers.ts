import type { IResolvers } from '@graphql-tools/utils';
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import type { GraphQLResolveInfo } from 'graphql';
import { intInRange, isBigintId, timeWindow, type TimeWindow } from '../../src/subgraph-kit/arguments.js';
import { argumentsAt } from '../../src/subgraph-kit/lookahead.js';
import { pageArgs, toConnection } from '../../src/subgraph-kit/connection.js';
import { findById } from '../../src/subgraph-kit/loaders.js';
import { scalarResolvers } from '../../src/subgraph-kit/scalars.js';
import type { RequestScope, SubgraphScope } from '../../src/subgraph-kit/context.js';
import type { TelemetryLoaders, TrackArgs } from './loaders.js';
import { positionsInArea } from './area.js';
import { positionRecorded } from './live.js';
import { recordPositions } from './mutations.js';
import * as sql from './sql.js';

/** The widest windows a request may ask for (the topology's `telemetry` section). */
export interface TelemetryWindows {
  /** Device.track: at GPS rates a month is already ~90,000 fixes per device. */
  maxTrackWindowDays: number;
  /** positionsInArea: a day of a fleet's fixes is scanned per page. */
  maxAreaWindowHours: number;
}

export interface TelemetryContext extends RequestScope {
  /** `windows`: the widest track and area windows the topology allows. */
  telemetry: SubgraphScope<TelemetryLoaders> & { windows: TelemetryWindows };
}

/** A user as telemetry knows it: an id of the request's tenant. */
interface UserRef {
  id: string;
}

type Position = Omit<sql.PositionRow, 'deviceId'>;

/** The maximum points of a downsampled track. */
export const MAX_TRACK_POINTS = 10_000;

function lastPositionOf(device: sql.DeviceRow): Position | null {
  if (device.lastRecordedAt === null) return null;
  return {
    recordedAt: device.lastRecordedAt,
    latitude: device.lastLatitude!,
    longitude: device.lastLongitude!,
    speedKmh: device.lastSpeedKmh,
    heading: device.lastHeading,
  };
}

type TrackFieldArgs = { from: Date; to: Date; maxPoints?: number | null };

/** Device.track's arguments, checked (each refusal names its argument). */
function trackArgs(args: TrackFieldArgs, windows: TelemetryWindows): TrackArgs {
  const maxPoints = args.maxPoints == null ? null : intInRange(args.maxPoints, 1, MAX_TRACK_POINTS, 'maxPoints');
  return { ...timeWindow(args, { days: windows.maxTrackWindowDays }), maxPoints };
}

/**
 * The window of a whole track (not downsampled) the selection goes on to ask for: a device read
 * with it in one statement (Q2). Null when it asks none, or when its arguments are at fault
 * (Device.track then refuses them at its own path).
 */
function wholeTrackAhead(info: GraphQLResolveInfo, windows: TelemetryWindows): TimeWindow | null {
  const asked = argumentsAt(info, ['track']) as TrackFieldArgs | null;
  if (!asked) return null;
  try {
    const { maxPoints, ...window } = trackArgs(asked, windows);
    return maxPoints === null ? window : null;
  } catch (error) {
    // A refused argument is the nested field's to report; anything else is a fault.
    if (error instanceof BadUserInputError) return null;
    throw error;
  }
}

export const resolvers: IResolvers<unknown, TelemetryContext> = {
  DateTime: scalarResolvers.DateTime,
  Latitude: scalarResolvers.Latitude,
  Longitude: scalarResolvers.Longitude,
  Query: {
    positionsInArea,
    device(_root, { id }: { id: string }, { telemetry }, info) {
      const window = wholeTrackAhead(info, telemetry.windows);
      return window && isBigintId(id) ? telemetry.loaders.deviceWithTrack(id, window) : findById(telemetry.loaders.deviceById, id);
    },
    async devices(_root, args: { first?: number; after?: string | null }, { telemetry, tenant }) {
      const page = pageArgs(args, 50);
      const rows = await telemetry.repo.read<sql.DeviceRow>(telemetry.loaders.statements.devicesPage, [tenant, page.afterId, page.first + 1]);
      return toConnection(rows, page.first);
    },
    _usersByIds: (_root, { ids }: { ids: string[] }): UserRef[] => ids.map((id) => ({ id })),
  },
  Mutation: {
    recordPositions,
  },
  Subscription: {
    positionRecorded,
  },
  AreaFix: {
    // A fix of the tenant's device (the query joined on tenant), loaded with the other devices of the page.
    device: (fix: sql.PositionRow, _args: unknown, { telemetry }) => telemetry.loaders.deviceById.load(fix.deviceId),
    position: (fix: sql.PositionRow) => fix,
  },
  Device: {
    user: (device: sql.DeviceRow): UserRef | null => (device.userId === null ? null : { id: device.userId }),
    lastPosition: lastPositionOf,
    track: (device: sql.DeviceRow, args: TrackFieldArgs, { telemetry }) =>
      telemetry.loaders.trackByDevice.load({ key: device.id, args: trackArgs(args, telemetry.windows) }),
  },
  User: {
    devices: (user: UserRef, _args: unknown, { telemetry }) =>
      isBigintId(user.id) ? telemetry.loaders.devicesByUser.load(user.id) : [],
    async lastPosition(user: UserRef, _args: unknown, { telemetry }) {
      if (!isBigintId(user.id)) return null;
      const positions = (await telemetry.loaders.devicesByUser.load(user.id))
        .map(lastPositionOf)
        .filter((position): position is Position => position !== null);
      return positions.reduce<Position | null>(
        (newest, position) => (newest === null || position.recordedAt > newest.recordedAt ? position : newest),
        null,
      );
    },
  },
};
