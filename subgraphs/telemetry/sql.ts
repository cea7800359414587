import { perClass, select, type CanSee, type Column } from '../../src/subgraph-kit/columns.js';
import type { ArchivedPosition } from '../../src/subgraph-kit/request-facts.js';
import { horizonAt, horizonOf, withHorizon } from '../../src/subgraph-kit/horizon.js';
import { trackBucket } from '../../src/subgraph-kit/track-buckets.js';

/**
 * Every statement of the telemetry subgraph. A device is always read with its newest fix (from
 * device_last_position, kept current on ingest), so Device.lastPosition and User.lastPosition
 * never cost a round trip of their own.
 */
export interface DeviceRow {
  id: string;
  tenant: string;
  userId: string | null;
  serial: string;
  label: string | null;
  lastRecordedAt: Date | null;
  lastLatitude: number | null;
  lastLongitude: number | null;
  lastSpeedKmh: number | null;
  lastHeading: number | null;
}

/** A fix as the statements return it; the archive (training) returns the older part of a track in this shape. */
export type PositionRow = ArchivedPosition;

/** A device with its newest fix; the device's own columns follow the class's field declarations. */
const deviceColumns: readonly Column[] = [
  { sql: 'd.id' },
  { sql: 'd.tenant' },
  { sql: 'd.user_id::text', as: 'userId', field: 'Device.user', type: 'text' },
  { sql: 'd.serial', field: 'Device.serial', type: 'text' },
  { sql: 'd.label', field: 'Device.label', type: 'text' },
  // The newest fix serves Device.lastPosition and User.lastPosition alike.
  { sql: 'p.recorded_at', as: 'lastRecordedAt' },
  { sql: 'p.lat', as: 'lastLatitude' },
  { sql: 'p.lon', as: 'lastLongitude' },
  { sql: 'p.speed_kmh', as: 'lastSpeedKmh' },
  { sql: 'p.heading', as: 'lastHeading' },
];

/** The device statements of a class, built once per class. */
export const statementsFor = perClass((canSee: CanSee) => {
  const devicesWithLastPosition = `
    SELECT ${select(deviceColumns, canSee)}
    FROM devices d
    LEFT JOIN device_last_position p ON p.device_id = d.id`;
  return {
    /** $1 tenant, $2 device ids. */
    devicesByIds: `${devicesWithLastPosition} WHERE d.tenant = $1 AND d.id = ANY($2::bigint[])`,

    /**
     * Devices ($1 tenant, $2 ids) with their tracks over [$3, $4] in one statement: each track a
     * JSON array (`track`, null for none) of the fixes `tracks` would give from the horizon on,
     * with the horizon (`movedBefore`) the window is to be checked against.
     */
    devicesWithTracksByIds: `
      WITH horizon AS (${horizonOf('positions')})
      SELECT d.*, t.track, (SELECT at FROM horizon) AS "movedBefore"
      FROM (${devicesWithLastPosition} WHERE d.tenant = $1 AND d.id = ANY($2::bigint[])) AS d
      LEFT JOIN LATERAL (
        SELECT json_agg(f ORDER BY f."recordedAt") AS track FROM (
          SELECT ${positionColumnsOf('', 'device_id::text')} FROM positions
          WHERE device_id = d.id AND recorded_at BETWEEN $3 AND $4 AND recorded_at >= ${horizonAt}
        ) AS f
      ) AS t ON true`,

    /** $1 tenant, $2 user ids. */
    devicesByUsers: `${devicesWithLastPosition}
      WHERE d.tenant = $1 AND d.user_id = ANY($2::bigint[]) ORDER BY d.id`,

    /** $1 tenant, $2 after id (null: first page), $3 page size + 1. */
    devicesPage: `${devicesWithLastPosition}
      WHERE d.tenant = $1 AND ($2::bigint IS NULL OR d.id > $2) ORDER BY d.id LIMIT $3`,
  };
});

/**
 * A fix's columns as PositionRow, of the table aliased `p` or, unqualified, of positions alone
 * (the device id as text inside JSON, where a number cannot hold every bigint).
 */
const positionColumnsOf = (p = '', deviceId = `${p}device_id`) => `${deviceId} AS "deviceId", ${p}recorded_at AS "recordedAt", ${p}lat AS latitude,
  ${p}lon AS longitude, ${p}speed_kmh AS "speedKmh", ${p}heading`;
const positionColumns = positionColumnsOf();

/** Tracks are in (device, time) order, also past the horizon's placeholder row. */
const trackOrder = '"deviceId", "recordedAt"';

/** $1 device ids, $2 from, $3 to (both inclusive); fixes from the horizon on (see withHorizon). */
export const tracks = withHorizon('positions', `
  SELECT ${positionColumns} FROM positions
  WHERE device_id = ANY($1::bigint[]) AND recorded_at BETWEEN $2 AND $3 AND recorded_at >= ${horizonAt}`, trackOrder);

/**
 * Downsampled on the database: [$2, $3] cut into $4 buckets, the first fix of each bucket kept.
 * The fix at exactly $3 falls into the last bucket.
 */
export const tracksDownsampled = withHorizon('positions', `
  SELECT DISTINCT ON ("deviceId", bucket) "deviceId", "recordedAt", latitude, longitude, "speedKmh", heading
  FROM (
    SELECT ${positionColumns}, ${trackBucket('recorded_at', '$2', '$3', '$4')} AS bucket
    FROM positions
    WHERE device_id = ANY($1::bigint[]) AND recorded_at BETWEEN $2 AND $3 AND recorded_at >= ${horizonAt}
  ) AS fixes
  ORDER BY "deviceId", bucket, "recordedAt"`, trackOrder);

/** A fix with its key's instant in epoch microseconds (what a notice names it by). */
export interface LiveFixRow extends PositionRow {
  micros: string;
}

/** The NOTIFY channel of new fixes. */
export const POSITIONS_CHANNEL = 'repogate_positions';

/**
 * The notice of a batch: tenant, device, its user, and the instants stored (epoch microseconds),
 * or, past MAX_LISTED_FIXES, their first and last (a notice must stay under PostgreSQL's 8,000
 * bytes: 200 instants are about 3.4 kB).
 */
export const MAX_LISTED_FIXES = 200;
const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint`;
const positionsNotice = `json_build_object(
      't', $7::text, 'd', device.id::text, 'u', device.user_id::text,
      'at', CASE WHEN (SELECT count(*) FROM inserted) <= ${MAX_LISTED_FIXES} THEN (SELECT json_agg(${micros('recorded_at')}) FROM inserted) END,
      'from', (SELECT ${micros('min(recorded_at)')} FROM inserted),
      'to', (SELECT ${micros('max(recorded_at)')} FROM inserted))::text`;

/**
 * Fixes by (device, instant), for subscribers: $1 device ids, $2 instants in epoch microseconds
 * (parallel arrays); each row says its key back as "micros". Through a function planned with
 * sequential scans off (migration 0004: a generic plan made while the month's partition looked
 * empty would scan it whole for every key).
 */
export const fixesByKeys = 'SELECT * FROM announced_fixes_by_keys($1::bigint[], $2::bigint[])';

/** Fixes of device $1 from $2 to $3 (epoch microseconds, inclusive): a notice that gave only its first and last. Planned as fixesByKeys is. */
export const fixesInRange = 'SELECT * FROM announced_fixes_in_range($1::bigint, $2::bigint, $3::bigint)';

/**
 * Stores a batch of fixes of one device of tenant $7 in one statement, idempotent on
 * (device, instant): fixes already stored are left as they are. The batch's newest fix moves
 * device_last_position forward (never back). $2–$6 are parallel arrays. A batch holding a fix
 * from before the horizon (its month was moved to training) stores nothing and says how many.
 */
export const recordPositions = `
  WITH horizon AS (SELECT max(moved_before) AS at FROM archive_horizon WHERE table_name = 'positions'),
  device AS (SELECT id, user_id FROM devices WHERE id = $1 AND tenant = $7),
  fixes AS (
    SELECT * FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::real[], $6::smallint[])
      AS fix (recorded_at, lat, lon, speed_kmh, heading)
  ),
  behind AS (SELECT count(*)::int AS n FROM fixes, horizon WHERE fixes.recorded_at < horizon.at),
  storable AS (SELECT device.id FROM device, behind WHERE behind.n = 0),
  inserted AS (
    INSERT INTO positions (device_id, recorded_at, lat, lon, speed_kmh, heading)
    SELECT storable.id, fixes.* FROM storable, fixes
    ON CONFLICT (device_id, recorded_at) DO NOTHING
    RETURNING recorded_at
  ),
  -- Subscribers hear of the new fixes when this commits: keys only (src/subgraph-kit/live.ts).
  notified AS (
    SELECT pg_notify('${POSITIONS_CHANNEL}', ${positionsNotice})
    FROM device WHERE EXISTS (SELECT 1 FROM inserted)
  ),
  newest AS (
    INSERT INTO device_last_position (device_id, recorded_at, lat, lon, speed_kmh, heading)
    SELECT storable.id, latest.* FROM storable, (SELECT * FROM fixes ORDER BY recorded_at DESC LIMIT 1) AS latest
    ON CONFLICT (device_id) DO UPDATE
      SET recorded_at = excluded.recorded_at, lat = excluded.lat, lon = excluded.lon,
          speed_kmh = excluded.speed_kmh, heading = excluded.heading
      WHERE device_last_position.recorded_at < excluded.recorded_at
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM device)::int AS "deviceFound", (SELECT count(*) FROM inserted)::int AS inserted,
         (SELECT n FROM behind) AS behind, (SELECT at FROM horizon) AS "movedBefore", (SELECT count(*) FROM notified)::int AS notified`;

/**
 * The tenant's fixes in a box and a time window, keyset-paged on (recorded_at, device_id).
 * $1 tenant, $2/$3 from/to, $4/$5 latitudes, $6/$7 longitudes, $8/$9 after (null: first page),
 * $10 page size + 1. The BRIN index on recorded_at narrows the scan to the window's blocks.
 */
export const positionsInArea = `
  SELECT ${positionColumnsOf('p.')}
  FROM positions p
  JOIN devices d ON d.id = p.device_id AND d.tenant = $1
  WHERE p.recorded_at BETWEEN $2 AND $3
    AND p.lat BETWEEN $4 AND $5 AND p.lon BETWEEN $6 AND $7
    AND ($8::timestamptz IS NULL OR (p.recorded_at, p.device_id) > ($8::timestamptz, $9::bigint))
  ORDER BY p.recorded_at, p.device_id
  LIMIT $10`;
