/**
 * Every statement of the training subgraph. Rows carry their tenant; every statement filters by
 * the request's ($1). Pages are keyset-paged on (instant, id), which the indexes of
 * migrations/0001_init.sql serve.
 */
import { perClass, select, type CanSee, type Column } from '../../src/subgraph-kit/columns.js';
import { trackBucket } from '../../src/subgraph-kit/track-buckets.js';

export type { ArchivedPosition as PositionRow, ArchivedTimeEntry as TimeEntryRow } from '../../src/subgraph-kit/request-facts.js';

const positionColumns = `device_id::text AS "deviceId", recorded_at AS "recordedAt", lat AS latitude,
  lon AS longitude, speed_kmh AS "speedKmh", heading`;

/**
 * $1 tenant, $2/$3 from/to (inclusive), $4 device ids (null: all), $5/$6 after (null: first
 * page), $7 page size + 1.
 */
export const positionsPage = `
  SELECT ${positionColumns} FROM positions
  WHERE tenant = $1 AND recorded_at BETWEEN $2 AND $3
    AND ($4::bigint[] IS NULL OR device_id = ANY($4::bigint[]))
    AND ($5::timestamptz IS NULL OR (recorded_at, device_id) > ($5::timestamptz, $6::bigint))
  ORDER BY recorded_at, device_id
  LIMIT $7`;

/** The archive's part of Device.track: $1 tenant, $2 devices, $3/$4 from/to, $5 before (the horizon). */
export const tracks = `
  SELECT ${positionColumns} FROM positions
  WHERE tenant = $1 AND device_id = ANY($2::bigint[]) AND recorded_at BETWEEN $3 AND $4 AND recorded_at < $5
  ORDER BY device_id, recorded_at`;

/** Downsampled as telemetry's own part is ($6 buckets over [$3, $4]): the parts agree on every bucket. */
export const tracksDownsampled = `
  SELECT DISTINCT ON ("deviceId", bucket) "deviceId", "recordedAt", latitude, longitude, "speedKmh", heading
  FROM (
    SELECT ${positionColumns}, ${trackBucket('recorded_at', '$3', '$4', '$6')} AS bucket
    FROM positions
    WHERE tenant = $1 AND device_id = ANY($2::bigint[]) AND recorded_at BETWEEN $3 AND $4 AND recorded_at < $5
  ) AS fixes
  ORDER BY "deviceId", bucket, "recordedAt"`;

const timeEntryColumns: readonly Column[] = [
  { sql: 'id::text', as: 'id' },
  { sql: 'user_id::text', as: 'userId' },
  { sql: 'project_id::text', as: 'projectId' },
  { sql: 'started_at', as: 'startedAt' },
  { sql: 'ended_at', as: 'endedAt' },
  { sql: 'note', field: 'TrainingTimeEntry.note', type: 'text' },
];

/** The time-entry statements of a class, built once per class. */
export const statementsFor = perClass((canSee: CanSee) => {
  const entries = select(timeEntryColumns, canSee);
  // Archived entries answer main's TimeEntry: its note is read only where main's field shows.
  const archivedEntries = select(timeEntryColumns, (field) => canSee(field === 'TrainingTimeEntry.note' ? 'TimeEntry.note' : field));
  return {
    /** $1 tenant, $2/$3 from/to on started_at, $4 user ids (null: all), $5/$6 after, $7 page size + 1. */
    timeEntriesPage: `
      SELECT ${entries} FROM time_entries
      WHERE tenant = $1 AND started_at BETWEEN $2 AND $3
        AND ($4::bigint[] IS NULL OR user_id = ANY($4::bigint[]))
        AND ($5::timestamptz IS NULL OR (started_at, id) > ($5::timestamptz, $6::bigint))
      ORDER BY started_at, id
      LIMIT $7`,

    /** The archive's part of User.timeEntries: $1 tenant, $2 users, entries overlapping [$3, $4] started before $5. */
    timeEntriesByUsers: `
      SELECT ${archivedEntries} FROM time_entries
      WHERE tenant = $1 AND user_id = ANY($2::bigint[]) AND started_at <= $4 AND coalesce(ended_at, 'infinity') >= $3
        AND started_at < $5
      ORDER BY user_id, started_at, id`,
  };
});

/** The archive's part of User.trackedSeconds, as main computes its own part. */
export const trackedSecondsByUsers = `
  SELECT u.id::text AS "userId",
         coalesce(sum(extract(epoch FROM
           least(coalesce(t.ended_at, now()), $4) - greatest(t.started_at, $3))), 0)::float8 AS seconds
  FROM unnest($2::bigint[]) AS u(id)
  LEFT JOIN time_entries t
    ON t.tenant = $1 AND t.user_id = u.id AND t.started_at <= $4 AND coalesce(t.ended_at, 'infinity') >= $3
       AND t.started_at < $5
  GROUP BY u.id`;
