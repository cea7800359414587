/**
 * A notice's fixes are read by key (subgraphs/telemetry/sql.ts: fixesByKeys) through a function
 * planned with sequential scans off (migration 0004). The hazard it removes: a prepared
 * statement's generic plan made while a month's partition was analyzed empty scans that
 * partition whole for every key, for as long as the connection keeps the plan. Told apart here
 * by the partition's own sequential-scan counter: the plain join, prepared, scans it; the
 * gateway's statement never does.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type pg from 'pg';
import { withPgClient } from '../src/repo/pg-client.js';
import { fixesByKeys, fixesInRange } from '../subgraphs/telemetry/sql.js';
import { telemetryUrl } from './support.js';

/**
 * A month no seed or test writes to, six ahead of now (the migrations keep a year of partitions
 * ahead): empty, and analyzed empty, as a new month is after a seed's VACUUM ANALYZE.
 */
const now = new Date();
const MONTH = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 6, 1);
const PARTITION = `positions_${new Date(MONTH).toISOString().slice(0, 7).replace('-', '_')}`;
const DEVICES = 100;
const FIXES_PER_DEVICE = 50;

/** The join fixesByKeys ran as a prepared statement before migration 0004. */
const plainJoin = `SELECT p.device_id FROM unnest($1::bigint[], $2::bigint[]) AS key (device_id, micros)
  JOIN positions p ON p.device_id = key.device_id AND p.recorded_at = timestamptz 'epoch' + key.micros * interval '1 microsecond'`;

async function seqScansOf(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT seq_scan::text AS n FROM pg_stat_user_tables WHERE relname = $1', [PARTITION]);
  return Number(rows[0]!.n);
}

/** The partition empty, and analyzed so: as a new month is after a seed's VACUUM ANALYZE, or a month whose fixes were deleted. */
async function emptyAndAnalyzed(client: pg.Client): Promise<void> {
  await client.query(`DELETE FROM ${PARTITION}`);
  await client.query(`VACUUM (ANALYZE) ${PARTITION}`);
}

/**
 * Runs `text` prepared (as the gateway runs its statements) while the partition is empty, until
 * PostgreSQL keeps its generic plan; then fills the partition, as fixes arrive in a new month,
 * and counts the sequential scans of it the same statement makes.
 */
function scansBy(text: string, values: unknown[], rows: number): Promise<number> {
  return withPgClient(telemetryUrl(), async (client) => {
    await emptyAndAnalyzed(client);
    const lookup = () => client.query({ name: 'lookup', text, values });
    // The first five executions are planned with their values; the generic plan follows.
    for (let run = 0; run < 8; run += 1) expect((await lookup()).rows).toHaveLength(0);
    await client.query(
      `INSERT INTO ${PARTITION} (device_id, recorded_at, lat, lon) SELECT d, to_timestamp($1::float8 / 1000) + m * interval '1 minute', 48, 11
       FROM generate_series(1, $2::int) AS d, generate_series(1, $3::int) AS m`,
      [MONTH, DEVICES, FIXES_PER_DEVICE],
    );
    await client.query('SELECT pg_stat_force_next_flush()');
    const before = await seqScansOf(client);
    for (let run = 0; run < 3; run += 1) expect((await lookup()).rows).toHaveLength(rows);
    await client.query('SELECT pg_stat_force_next_flush()');
    return (await seqScansOf(client)) - before;
  });
}

beforeAll(() => withPgClient(telemetryUrl(), (client) => client.query(`ALTER TABLE ${PARTITION} SET (autovacuum_enabled = off)`)));

afterAll(() =>
  withPgClient(telemetryUrl(), async (client) => {
    await emptyAndAnalyzed(client);
    await client.query(`ALTER TABLE ${PARTITION} RESET (autovacuum_enabled)`);
  }),
);

/** Three fixes of the month by key (devices 1-3, minutes 1-3), and device 1's first ten minutes. */
const micros = (minutes: number) => String((MONTH + minutes * 60_000) * 1000);
const byKeys = [[1, 2, 3], [1, 2, 3].map(micros)];
const range = [1, micros(1), micros(10)];

it('a plain join, prepared, scans a partition analyzed empty sequentially (the hazard)', async () => {
  expect(await scansBy(plainJoin, byKeys, 3)).toBeGreaterThan(0);
});

it("the gateway's lookups of announced fixes never do, whatever the statistics say", async () => {
  expect(await scansBy(fixesByKeys, byKeys, 3)).toBe(0);
  expect(await scansBy(fixesInRange, range, 10)).toBe(0);
});
