/** Ingest: a device's fixes, in one statement, idempotent on (device, recordedAt). */
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import { intInRange, isBigintId } from '../../src/subgraph-kit/arguments.js';
import { behindHorizon } from '../../src/subgraph-kit/horizon.js';
import type { TelemetryContext } from './resolvers.js';
import * as sql from './sql.js';

/** More fixes than this in one call are refused: one statement must stay bounded. */
export const MAX_POSITIONS_PER_CALL = 10_000;

interface PositionInput {
  recordedAt: Date;
  latitude: number;
  longitude: number;
  speedKmh?: number | null;
  heading?: number | null;
}

export async function recordPositions(
  _root: unknown,
  { deviceId, positions }: { deviceId: string; positions: PositionInput[] },
  { telemetry, tenant }: TelemetryContext,
): Promise<{ inserted: number; duplicates: number }> {
  if (!isBigintId(deviceId)) throw new BadUserInputError('Argument "deviceId" is not a valid id.', 'deviceId');
  if (positions.length > MAX_POSITIONS_PER_CALL) {
    throw new BadUserInputError(`Argument "positions" holds ${positions.length} fixes; at most ${MAX_POSITIONS_PER_CALL} a call.`, 'positions');
  }
  positions.forEach((fix, index) => {
    if (fix.heading != null) intInRange(fix.heading, 0, 359, `positions[${index}].heading`);
    if (fix.speedKmh != null && !(fix.speedKmh >= 0 && fix.speedKmh < 2000)) {
      throw new BadUserInputError(`Argument "positions[${index}].speedKmh" must be between 0 and 2000.`, `positions[${index}].speedKmh`);
    }
  });
  if (positions.length === 0) return { inserted: 0, duplicates: 0 };
  const [result] = await telemetry.repo.write<{ deviceFound: number; inserted: number; behind: number; movedBefore: Date | null }>(sql.recordPositions, [
    deviceId,
    positions.map((fix) => fix.recordedAt),
    positions.map((fix) => fix.latitude),
    positions.map((fix) => fix.longitude),
    positions.map((fix) => fix.speedKmh ?? null),
    positions.map((fix) => fix.heading ?? null),
    tenant,
  ]);
  if (!result || result.deviceFound === 0) throw new BadUserInputError(`Device ${deviceId} does not exist.`, 'deviceId');
  if (result.behind > 0) throw behindHorizon(`${result.behind} of the fixes were`, 'positions', result.movedBefore!);
  return { inserted: result.inserted, duplicates: positions.length - result.inserted };
}
