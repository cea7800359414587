/**
 * `npm run seed:telemetry`: history generated through COPY, resumable chunk by chunk, along paths
 * a vehicle could drive. Runs in a scratch database of the telemetry cluster with a small fleet,
 * so the shared stack (and any big history seeded there) is left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAndGrant } from '../src/migrations.js';
import { withPgClient } from '../src/repo/pg-client.js';
import { SEED_END, demoSizes } from '../dev/stack/demo.js';
import { telemetrySubgraph } from '../subgraphs/telemetry/index.js';
import { seedTelemetryHistory } from '../dev/seeds/telemetry-history.js';
import { pgRows, stackInfo, testTopology } from './support.js';

const DATABASE = 'telemetry_seed_test';
const DEVICES = 5;
const PER_HOUR = DEVICES * 120; // a fix every 30 s
const historyEnd = new Date(SEED_END.getTime() - 7 * 24 * 3_600_000);

function clusterUrl(database: string, user = 'repogate', password = 'repogate'): string {
  return `postgres://${user}:${password}@127.0.0.1:${stackInfo().repos.telemetry.port}/${database}`;
}
const superuser = () => clusterUrl('postgres', stackInfo().superuser.user, stackInfo().superuser.password);
const url = clusterUrl(DATABASE);
const quiet = { intervalSeconds: 30, log: () => undefined, progressInLogs: false };

async function history(): Promise<{ rows: number; first: Date; last: Date }> {
  const [row] = await pgRows<{ rows: string; first: Date; last: Date }>(url,
    'SELECT count(*) AS rows, min(recorded_at) AS first, max(recorded_at) AS last FROM positions WHERE recorded_at < $1', [historyEnd]);
  return { rows: Number(row!.rows), first: row!.first, last: row!.last };
}

beforeAll(async () => {
  await withPgClient(superuser(), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER repogate`);
  });
  await migrateAndGrant(telemetrySubgraph, 'pg', url, testTopology().repos.telemetry.roles);
  await withPgClient(url, (client) => client.query(
    `INSERT INTO devices (id, tenant, serial) SELECT n, CASE WHEN n % 2 = 0 THEN 'acme' ELSE 'globex' END, 'T-' || n FROM generate_series(1, ${DEVICES}) n`));
}, 60_000);

afterAll(async () => {
  await withPgClient(superuser(), (admin) => admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
});

describe('seed:telemetry', () => {
  it('writes exactly the rows asked for, ending where the demo week begins', async () => {
    const report = await seedTelemetryHistory(url, { ...quiet, rows: demoSizes.positions + PER_HOUR + 200 });
    expect(report.rowsWritten).toBe(PER_HOUR + 200);
    const seeded = await history();
    expect(seeded.rows).toBe(PER_HOUR + 200);
    expect(seeded.last.getTime()).toBeLessThan(historyEnd.getTime());
    expect(seeded.first.getTime()).toBeGreaterThanOrEqual(historyEnd.getTime() - 2 * 3_600_000);
  });

  it('does nothing when run again with the same target', async () => {
    const report = await seedTelemetryHistory(url, { ...quiet, rows: demoSizes.positions + PER_HOUR + 200 });
    expect(report.rowsWritten).toBe(0);
    expect((await history()).rows).toBe(PER_HOUR + 200);
  });

  it('resumes after a lost chunk and completes a partial hour without duplicates', async () => {
    // A run killed mid-chunk leaves neither the chunk's rows nor its record: the same as this.
    await withPgClient(url, async (client) => {
      await client.query('DELETE FROM positions WHERE recorded_at < $1 AND recorded_at >= $2', [historyEnd, new Date(historyEnd.getTime() - 3_600_000)]);
      await client.query('DELETE FROM seed_history_chunks WHERE chunk = 0');
    });
    const report = await seedTelemetryHistory(url, { ...quiet, rows: demoSizes.positions + 3 * PER_HOUR, workers: 2 });
    // chunk 0 again, the rest of chunk 1, all of chunk 2
    expect(report.rowsWritten).toBe(PER_HOUR + (PER_HOUR - 200) + PER_HOUR);
    expect((await history()).rows).toBe(3 * PER_HOUR);
    const [perDevice] = await pgRows<{ min: string; max: string }>(url,
      'SELECT min(n) AS min, max(n) AS max FROM (SELECT count(*) AS n FROM positions GROUP BY device_id) counts');
    expect(perDevice).toEqual({ min: String(3 * 120), max: String(3 * 120) });
  });

  it('moves devices along drivable paths: no jumps, parked overnight', async () => {
    const steps = await pgRows<{ km: number; hours: number; speed_kmh: number; parked: boolean }>(url, `
      SELECT sqrt(power((lat - lag(lat) OVER w) * 111.2, 2) + power((lon - lag(lon) OVER w) * 111.2 * cos(radians(lat)), 2)) AS km,
             extract(epoch FROM recorded_at - lag(recorded_at) OVER w) / 3600 AS hours, speed_kmh,
             extract(hour FROM recorded_at AT TIME ZONE 'UTC') NOT BETWEEN 6 AND 19 AS parked
      FROM positions WHERE recorded_at < $1 WINDOW w AS (PARTITION BY device_id ORDER BY recorded_at)`, [historyEnd]);
    const moves = steps.filter((s) => s.km !== null);
    expect(moves.length).toBe(3 * PER_HOUR - DEVICES);
    // 30 s apart, never faster than 150 km/h: a vehicle, not noise.
    expect(Math.max(...moves.map((s) => s.km / s.hours))).toBeLessThan(150);
    // The history ends at 00:00 UTC, so its last three hours are night: standing still, speed 0.
    expect(moves.every((s) => s.parked && s.km < 1e-6 && s.speed_kmh === 0)).toBe(true);
  });
});
