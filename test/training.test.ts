/**
 * The training subgraph against direct SQL: keyset pages of moved fixes and time entries, in
 * order, filtered by window, devices or users and tenant, `first` capped; the ml class reads it
 * on its own pool in one round trip per page. Rows here are written straight into training, in
 * 2001 (no move ever reaches that far), and removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGateway, pgRows, trainingUrl } from './support.js';

const gateway = openGateway();
const YEAR = "tstzrange('2001-01-01', '2002-01-01')";
const cleanUp = () =>
  pgRows(trainingUrl(), `DELETE FROM positions WHERE recorded_at <@ ${YEAR}; DELETE FROM time_entries WHERE started_at <@ ${YEAR}`);

beforeAll(async () => {
  await cleanUp();
  await pgRows(trainingUrl(), "SELECT ensure_training_partition('2001-03-01T00:00:00Z')");
  // Two tenants' fixes at the same instants (ties on recordedAt are ordered by device).
  await pgRows(trainingUrl(), `
    INSERT INTO positions (tenant, device_id, recorded_at, lat, lon, speed_kmh, heading)
    SELECT CASE WHEN d % 2 = 1 THEN 'acme' ELSE 'globex' END, d, timestamptz '2001-03-01' + n * interval '1 minute',
           48 + d / 100.0, 11 + n / 1000.0, n % 90, (n * 7) % 360
    FROM generate_series(1, 6) d, generate_series(0, 99) n`);
  await pgRows(trainingUrl(), `
    INSERT INTO time_entries (tenant, id, user_id, project_id, started_at, ended_at, note)
    SELECT t, n, 1 + n % 5, 1, timestamptz '2001-03-01' + (n / 3) * interval '1 hour', timestamptz '2001-03-01' + (n / 3) * interval '1 hour' + interval '30 minutes', 'note ' || n
    FROM unnest(ARRAY['acme', 'globex']) t, generate_series(1, 120) n`);
});

afterAll(async () => {
  await cleanUp();
  await gateway.close();
});

const positionsQuery = `query ($from: DateTime!, $to: DateTime!, $deviceIds: [ID!], $first: Int, $after: String) {
  trainingPositions(from: $from, to: $to, deviceIds: $deviceIds, first: $first, after: $after) {
    edges { cursor node { deviceId recordedAt latitude longitude speedKmh heading } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function allPages(query: string, field: string, variables: Record<string, unknown>, tenant = 'acme') {
  const nodes: any[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const response: { errors?: unknown; data?: any; extensions?: any } = await gateway.request(query, { ...variables, after }, { clientClass: 'ml', tenant });
    expect(response.errors).toBeUndefined();
    expect(response.extensions!.repos!.training!.roundTrips).toBe(1);
    const connection: { edges: { node: unknown }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = response.data![field];
    nodes.push(...connection.edges.map((edge: any) => edge.node));
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

describe('trainingPositions', () => {
  it('pages the tenant fixes of a window in (recordedAt, device) order, as SQL has them', async () => {
    const variables = { from: '2001-03-01T00:10:00Z', to: '2001-03-01T00:40:00Z', first: 7 };
    const nodes = await allPages(positionsQuery, 'trainingPositions', variables);
    const expected = await pgRows(trainingUrl(), `
      SELECT device_id::text AS "deviceId", recorded_at, lat, lon, speed_kmh, heading FROM positions
      WHERE tenant = 'acme' AND recorded_at BETWEEN $1 AND $2 ORDER BY recorded_at, device_id`, [variables.from, variables.to]);
    expect(nodes).toHaveLength(93); // 31 instants × devices 1, 3, 5
    expect(nodes).toEqual(expected.map((row) => ({
      deviceId: row.deviceId, recordedAt: row.recorded_at.toISOString(), latitude: row.lat, longitude: row.lon, speedKmh: row.speed_kmh, heading: row.heading,
    })));
  });

  it('narrows to the listed devices, and never shows another tenant', async () => {
    const nodes = await allPages(positionsQuery, 'trainingPositions', { from: '2001-03-01T00:00:00Z', to: '2001-03-02T00:00:00Z', deviceIds: ['3', '4', 'x'], first: 500 });
    // Device 4 is globex's: listing it shows nothing of it to acme.
    expect(new Set(nodes.map((node) => node.deviceId))).toEqual(new Set(['3']));
    expect(nodes).toHaveLength(100);
    const globex = await allPages(positionsQuery, 'trainingPositions', { from: '2001-03-01T00:00:00Z', to: '2001-03-02T00:00:00Z', first: 500 }, 'globex');
    expect(new Set(globex.map((node) => node.deviceId))).toEqual(new Set(['2', '4', '6']));
  });

  it('refuses first above 500, a bad cursor and a window ending before it starts, naming the argument', async () => {
    const window = { from: '2001-03-01T00:00:00Z', to: '2001-03-02T00:00:00Z' };
    for (const [variables, argumentName] of [
      [{ ...window, first: 501 }, 'first'],
      [{ ...window, after: 'bm9wZQ' }, 'after'],
      [{ from: window.to, to: window.from }, 'from'],
    ] as const) {
      const response = await gateway.request(positionsQuery, variables, { clientClass: 'ml' });
      expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    }
  });
});

describe('trainingTimeEntries', () => {
  const query = `query ($from: DateTime!, $to: DateTime!, $userIds: [ID!], $after: String) {
    trainingTimeEntries(from: $from, to: $to, userIds: $userIds, first: 9, after: $after) {
      edges { node { id userId projectId startedAt endedAt note } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

  it('pages the tenant entries started in the window in (startedAt, id) order, notes included', async () => {
    const variables = { from: '2001-03-01T02:00:00Z', to: '2001-03-01T20:00:00Z', userIds: ['2', '4'] };
    const nodes = await allPages(query, 'trainingTimeEntries', variables, 'globex');
    const expected = await pgRows(trainingUrl(), `
      SELECT id::text, user_id::text AS "userId", project_id::text AS "projectId", started_at, ended_at, note FROM time_entries
      WHERE tenant = 'globex' AND started_at BETWEEN $1 AND $2 AND user_id IN (2, 4) ORDER BY started_at, id`, [variables.from, variables.to]);
    expect(nodes.length).toBeGreaterThan(9);
    expect(nodes).toEqual(expected.map((row) => ({
      id: row.id, userId: row.userId, projectId: row.projectId, startedAt: row.started_at.toISOString(), endedAt: row.ended_at.toISOString(), note: row.note,
    })));
  });
});
