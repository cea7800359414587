/**
 * `npm run seed:telemetry -- --rows N`: grows `positions` to N rows by generating history before
 * the demo week, one fix per device every `intervalSeconds`, through COPY.
 *
 * Work is cut into chunks of one hour of the whole fleet, walking back in time from the demo's
 * first day. Each chunk is one transaction that also records itself in `seed_history_chunks`, so
 * a killed run loses at most the chunk in flight and the next run goes on where it stopped; a
 * bigger N later extends the same history further back. Rows of a chunk are written device by
 * device, which keeps the primary key's inserts on a few leaf pages per device.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { cpus } from 'node:os';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SEED_END, demoSizes, demoTenants } from '../stack/demo.js';
import { processCpuSeconds } from '../../src/observability/process-cpu.js';
import { devicePath, type DevicePath } from './paths.js';

const HOUR_MS = 3_600_000;
/** History ends where the demo week (7 days before SEED_END) begins. */
const HISTORY_END_MS = SEED_END.getTime() - 7 * 24 * HOUR_MS;

export interface SeedHistoryOptions {
  /** Size `positions` should reach, demo rows included. */
  rows: number;
  intervalSeconds: number;
  /** Connections writing chunks side by side; one per core by default. */
  workers?: number;
  log?: (line: string) => void;
  /** Off: the progress bar is drawn only on a terminal (tests), not also as lines in a log. */
  progressInLogs?: boolean;
}

export interface SeedHistoryReport {
  rowsWritten: number;
  seconds: number;
  /** Node (generating) plus the PostgreSQL backend (ingesting); undefined when the backend is not local. */
  cpuSeconds?: number;
}

interface Device {
  id: number;
  path: DevicePath;
}

async function fleet(client: pg.ClientBase): Promise<Device[]> {
  const { rows } = await client.query<{ id: string; tenant: string }>('SELECT id, tenant FROM devices ORDER BY id');
  return rows.map(({ id, tenant }) => {
    const home = demoTenants.find((t) => t.slug === tenant)?.home ?? demoTenants[0]!.home;
    return { id: Number(id), path: devicePath(Number(id), home) };
  });
}

/** One chunk's rows as COPY text, in batches of a few thousand lines. */
function* chunkLines(devices: Device[], chunk: number, rows: number, intervalMs: number): Generator<string> {
  const hourEnd = HISTORY_END_MS - chunk * HOUR_MS;
  const perDevice = HOUR_MS / intervalMs;
  let left = rows;
  for (const device of devices) {
    if (left <= 0) return;
    // Devices do not report in lockstep; the offset stays inside one interval.
    const offset = (device.id * 7) % intervalMs;
    const lines: string[] = [];
    for (let n = 0; n < perDevice && left > 0; n += 1, left -= 1) {
      const at = hourEnd - HOUR_MS + n * intervalMs + offset;
      const fix = device.path.fixAt(at);
      lines.push(`${device.id}\t${new Date(at).toISOString()}\t${fix.lat.toFixed(6)}\t${fix.lon.toFixed(6)}\t${fix.speedKmh}\t${fix.heading}`);
    }
    yield `${lines.join('\n')}\n`;
  }
}

export async function seedTelemetryHistory(url: string, options: SeedHistoryOptions): Promise<SeedHistoryReport> {
  const { rows: target, intervalSeconds, workers = cpus().length, log = console.log, progressInLogs = true } = options;
  const intervalMs = intervalSeconds * 1000;
  if (!Number.isInteger(intervalMs) || intervalMs <= 0 || HOUR_MS % intervalMs !== 0) {
    throw new Error('--interval-s must divide an hour (1, 2, 5, 10, 15, 30, 60 …)');
  }
  // COPY is bound by the backend's CPU, the generator by a fifth of that: one connection per core.
  const clients = await Promise.all(Array.from({ length: Math.max(1, workers) }, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }));
  try {
    return await seed(clients, target, intervalMs, log, progressInLogs);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function seed(clients: pg.Client[], target: number, intervalMs: number, log: (line: string) => void, progressInLogs: boolean): Promise<SeedHistoryReport> {
  const [first] = clients as [pg.Client];
  await first.query(`CREATE TABLE IF NOT EXISTS seed_history_chunks (
    chunk int PRIMARY KEY, rows int NOT NULL, interval_ms int NOT NULL, done_at timestamptz NOT NULL DEFAULT now())`);
  const done = new Map<number, { rows: number; intervalMs: number }>();
  for (const row of (await first.query<{ chunk: number; rows: number; interval_ms: number }>('SELECT chunk, rows, interval_ms FROM seed_history_chunks')).rows) {
    done.set(row.chunk, { rows: row.rows, intervalMs: row.interval_ms });
  }
  const other = [...done.values()].find((d) => d.intervalMs !== intervalMs);
  if (other) throw new Error(`the history here was seeded at --interval-s ${other.intervalMs / 1000}; use that, or npm run stack:reset`);

  const devices = await fleet(first);
  if (devices.length === 0) throw new Error('telemetry has no devices: run npm run stack:up first');
  const perChunk = devices.length * (HOUR_MS / intervalMs);
  const historyRows = Math.max(0, target - demoSizes.positions);
  const chunks = Math.ceil(historyRows / perChunk);
  const alreadyDone = [...done.values()].reduce((sum, d) => sum + d.rows, 0);
  log(`seed:telemetry: ${devices.length} devices, a fix every ${intervalMs / 1000} s, ${perChunk.toLocaleString('en')} rows per hour of history, ${clients.length} connections`);
  log(`  target ${target.toLocaleString('en')} positions: ${chunks} hours back from ${new Date(HISTORY_END_MS).toISOString()}, ${alreadyDone.toLocaleString('en')} history rows already there`);
  await first.query('SELECT ensure_position_partitions($1::timestamptz, $2::timestamptz)', [new Date(HISTORY_END_MS - chunks * HOUR_MS), new Date(HISTORY_END_MS)]);

  const backendPids = await Promise.all(clients.map(async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
  const backendCpu = () => backendPids.reduce<number | undefined>((sum, pid) => {
    const seconds = processCpuSeconds(pid);
    return sum === undefined || seconds === undefined ? undefined : sum + seconds;
  }, 0);
  const cpuAtStart = { node: process.cpuUsage(), backends: backendCpu() };

  const bar = new cliProgress.SingleBar(
    { format: '  positions |{bar}| {percentage}% {value}/{total} rows, {rate} rows/s, eta {eta_formatted}', noTTYOutput: progressInLogs, notTTYSchedule: 5000, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const wanted = Math.max(historyRows, alreadyDone);
  bar.start(wanted, Math.min(alreadyDone, wanted), { rate: '-' });
  const started = Date.now();
  let written = 0;
  let next = 0;
  const work = async (client: pg.Client) => {
    for (let chunk = next++; chunk < chunks; chunk = next++) {
      const rows = Math.min(perChunk, historyRows - chunk * perChunk);
      const previous = done.get(chunk)?.rows ?? 0;
      if (previous >= rows) continue;
      await writeChunk(client, devices, chunk, rows, intervalMs, previous > 0);
      written += rows - previous;
      bar.increment(rows - previous, { rate: Math.round(written / ((Date.now() - started) / 1000)).toLocaleString('en') });
    }
  };
  await Promise.all(clients.map(work));
  bar.stop();

  const seconds = (Date.now() - started) / 1000;
  const nodeCpu = process.cpuUsage(cpuAtStart.node);
  const backendsNow = backendCpu();
  const cpuSeconds = cpuAtStart.backends === undefined || backendsNow === undefined
    ? undefined
    : (nodeCpu.user + nodeCpu.system) / 1e6 + backendsNow - cpuAtStart.backends;
  if (written === 0) {
    log('  nothing to do: positions already has that much history');
    return { rowsWritten: 0, seconds };
  }
  log(`  wrote ${written.toLocaleString('en')} rows in ${seconds.toFixed(1)} s: ${Math.round(written / seconds).toLocaleString('en')} rows/s` +
    (cpuSeconds ? `, ${Math.round(written / cpuSeconds).toLocaleString('en')} rows per CPU-second (node + backends, ${cpus().length} cores here)` : ''));
  // VACUUM sets the visibility map, so tracks over the new history stay index-only scans.
  log('  vacuum (analyze) positions …');
  const vacuumStarted = Date.now();
  await first.query('VACUUM (ANALYZE) positions');
  log(`  vacuumed in ${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  return { rowsWritten: written, seconds, cpuSeconds };
}

/** One hour of the fleet in one transaction, recorded in seed_history_chunks as it commits. */
async function writeChunk(client: pg.Client, devices: Device[], chunk: number, rows: number, intervalMs: number, redo: boolean): Promise<void> {
  await client.query('BEGIN');
  try {
    if (redo) {
      // A partial last hour from a smaller --rows: write the whole hour again. Only the fleet's
      // fixes of that hour go, which are the ones this command wrote.
      const hourEnd = new Date(HISTORY_END_MS - chunk * HOUR_MS);
      await client.query(
        "DELETE FROM positions WHERE recorded_at >= $1::timestamptz - interval '1 hour' AND recorded_at < $1 AND device_id = ANY($2::bigint[])",
        [hourEnd, devices.map((device) => device.id)],
      );
    }
    await pipeline(
      Readable.from(chunkLines(devices, chunk, rows, intervalMs)),
      client.query(copyFrom('COPY positions (device_id, recorded_at, lat, lon, speed_kmh, heading) FROM STDIN')),
    );
    await client.query(
      `INSERT INTO seed_history_chunks (chunk, rows, interval_ms) VALUES ($1, $2, $3)
       ON CONFLICT (chunk) DO UPDATE SET rows = EXCLUDED.rows, done_at = now()`,
      [chunk, rows, intervalMs],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
