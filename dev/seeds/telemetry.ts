/** Demo devices and 1M positions (DOMAIN.md): deterministic, loaded with COPY. */
import type pg from 'pg';
import { copyRows } from '../stack/copy-rows.js';
import { SEED_END, demoDevices, demoSizes, demoTenants, prng } from '../stack/demo.js';

const WEEK_MS = 7 * 24 * 3_600_000;
const labels = ['van', 'truck', 'bike', 'car', 'trailer'];

export async function seedTelemetry(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ seeded: boolean }>('SELECT EXISTS (SELECT 1 FROM devices) AS seeded');
  if (rows[0]?.seeded) return false;
  const devices = demoDevices();
  await client.query('BEGIN');
  await client.query("SELECT ensure_position_partitions($1::timestamptz - interval '8 days', $1::timestamptz + interval '1 month')", [SEED_END]);
  await copyRows(
    client,
    'devices (id, tenant, user_id, serial, label)',
    devices.map((d) => [d.id, d.tenant, d.userId, `GPS-${String(d.id).padStart(6, '0')}`, `${labels[d.id % labels.length]} ${d.id}`]),
    { label: 'telemetry devices' },
  );
  const perDevice = demoSizes.positions / devices.length;
  const stepMs = WEEK_MS / perDevice;
  // Each device drives a random walk from near its tenant's home: a plausible track, not noise.
  function* positions() {
    for (const device of devices) {
      const random = prng(10_000 + device.id);
      const home = demoTenants.find((t) => t.slug === device.tenant)!.home;
      let lat = home.lat + (random() - 0.5) * 0.4;
      let lon = home.lon + (random() - 0.5) * 0.6;
      let heading = Math.floor(random() * 360);
      const offsetMs = device.id * 7; // devices do not report in lockstep
      for (let n = 0; n < perDevice; n += 1) {
        heading = (heading + Math.floor((random() - 0.5) * 60) + 360) % 360;
        const speed = Math.round(random() * 900) / 10;
        const km = (speed * stepMs) / 3_600_000 / 10; // moving a tenth of the interval
        lat += (km / 111) * Math.cos((heading * Math.PI) / 180);
        lon += (km / (111 * Math.cos((lat * Math.PI) / 180))) * Math.sin((heading * Math.PI) / 180);
        const recordedAt = new Date(SEED_END.getTime() - WEEK_MS + n * stepMs + offsetMs);
        yield [device.id, recordedAt, lat.toFixed(6), lon.toFixed(6), speed, heading] as const;
      }
    }
  }
  await copyRows(client, 'positions (device_id, recorded_at, lat, lon, speed_kmh, heading)', positions(), {
    label: 'telemetry positions',
    total: demoSizes.positions,
  });
  await client.query(`
    INSERT INTO device_last_position
    SELECT DISTINCT ON (device_id) device_id, recorded_at, lat, lon, speed_kmh, heading
    FROM positions ORDER BY device_id, recorded_at DESC`);
  await client.query('COMMIT');
  await client.query('ANALYZE devices');
  // VACUUM sets the visibility map, so tracks are index-only scans from the start.
  await client.query('VACUUM (ANALYZE) positions');
  return true;
}
