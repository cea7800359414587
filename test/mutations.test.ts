/**
 * Writes: time entries (transactional, validated), recordPositions (one idempotent statement,
 * bounded), markInvoicePaid (admin only, void refused). Bad input is BAD_USER_INPUT naming the
 * field, and nothing is partially written.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mainUrl, mysqlRows, openGateway, pgRows, restoreLastPositions, telemetryUrl } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const countEntries = async (userId: number) =>
  (await pgRows(mainUrl(), 'SELECT count(*)::int AS n FROM time_entries WHERE user_id = $1', [userId]))[0]!.n as number;

describe('time entries', () => {
  const user = 396; // no running entry in the seed
  afterEach(() => pgRows(mainUrl(), 'DELETE FROM time_entries WHERE user_id = $1 AND id >= 10000000', [user]));

  it('starts, refuses a second running entry, stops and updates, as the database shows', async () => {
    const before = await countEntries(user);
    const start = await gateway.request(
      `mutation { startTimeEntry(input: { userId: "${user}", projectId: "16", startedAt: "2026-11-02T08:00:00Z", note: "site visit" }) {
         id startedAt endedAt note user { id } project { id } } }`,
    );
    expect(start.errors).toBeUndefined();
    const entry = start.data!.startTimeEntry;
    expect(entry).toMatchObject({ startedAt: '2026-11-02T08:00:00.000Z', endedAt: null, note: 'site visit', user: { id: `${user}` }, project: { id: '16' } });

    const second = await gateway.request(`mutation { startTimeEntry(input: { userId: "${user}", projectId: "16" }) { id } }`);
    expect(second.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'userId' });
    expect(await countEntries(user)).toBe(before + 1);

    const early = await gateway.request(`mutation { stopTimeEntry(userId: "${user}", endedAt: "2026-11-02T07:00:00Z") { id } }`);
    expect(early.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'endedAt' });

    const stop = await gateway.request(`mutation { stopTimeEntry(userId: "${user}", endedAt: "2026-11-02T09:30:00Z") { id endedAt } }`);
    expect(stop.data!.stopTimeEntry).toEqual({ id: entry.id, endedAt: '2026-11-02T09:30:00.000Z' });

    const update = await gateway.request(
      `mutation { updateTimeEntry(input: { id: "${entry.id}", startedAt: "2026-11-02T08:15:00Z", note: "moved" }) { startedAt endedAt note } }`,
    );
    expect(update.data!.updateTimeEntry).toEqual({ startedAt: '2026-11-02T08:15:00.000Z', endedAt: '2026-11-02T09:30:00.000Z', note: 'moved' });
    const [row] = await pgRows(mainUrl(), 'SELECT started_at, ended_at, note, project_id::text AS project FROM time_entries WHERE id = $1', [entry.id]);
    expect(row).toEqual({ started_at: new Date('2026-11-02T08:15:00Z'), ended_at: new Date('2026-11-02T09:30:00Z'), note: 'moved', project: '16' });
  });

  it('refuses bad input with the field named and writes nothing', async () => {
    const before = await countEntries(user);
    const cases: [string, string][] = [
      [`startTimeEntry(input: { userId: "${user}", projectId: "1" }) { id }`, 'projectId'], // another company's project
      [`startTimeEntry(input: { userId: "x", projectId: "16" }) { id }`, 'userId'],
      [`stopTimeEntry(userId: "${user}") { id }`, 'userId'], // nothing running
      [`updateTimeEntry(input: { id: "1", endedAt: "2000-01-01T00:00:00Z" }) { id }`, 'endedAt'],
      [`updateTimeEntry(input: { id: "999999999" }) { id }`, 'id'],
    ];
    for (const [mutation, argumentName] of cases) {
      const response = await gateway.request(`mutation { ${mutation} }`);
      expect(response.errors![0]!.extensions, mutation).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    }
    expect(await countEntries(user)).toBe(before);
    const [unchanged] = await pgRows(mainUrl(), 'SELECT ended_at FROM time_entries WHERE id = 1');
    expect(unchanged!.ended_at.getFullYear()).toBeGreaterThan(2000);
  });
});

describe('recordPositions', () => {
  const device = 999; // acme's (odd ids), unassigned
  afterEach(async () => {
    await pgRows(telemetryUrl(), "DELETE FROM positions WHERE device_id = $1 AND recorded_at >= '2026-11-05'", [device]);
    await restoreLastPositions([device]);
  });
  const fixes = Array.from({ length: 250 }, (_, i) => ({
    recordedAt: new Date(Date.UTC(2026, 10, 5, 0, 0, i)).toISOString(),
    latitude: 52.5 + i / 10_000,
    longitude: 13.4,
    speedKmh: 30,
    heading: i % 360,
  }));
  const record = (positions: unknown[], deviceId = `${device}`) =>
    gateway.request(
      'mutation ($deviceId: ID!, $positions: [PositionInput!]!) { recordPositions(deviceId: $deviceId, positions: $positions) { inserted duplicates } }',
      { deviceId, positions },
      { clientClass: 'api' },
    );

  it('stores a batch in one statement and is idempotent on (device, recordedAt)', async () => {
    const first = await record(fixes);
    expect(first.data!.recordPositions).toEqual({ inserted: 250, duplicates: 0 });
    // one INSERT … ON CONFLICT DO NOTHING, then the WAL position for read-your-writes
    expect(first.extensions!.repos!.telemetry).toMatchObject({ roundTrips: 2, servedBy: ['primary'] });
    const again = await record([...fixes.slice(200), { ...fixes[0]!, recordedAt: '2026-11-05T01:00:00Z' }]);
    expect(again.data!.recordPositions).toEqual({ inserted: 1, duplicates: 50 });
    const [stored] = await pgRows(telemetryUrl(), "SELECT count(*)::int AS n FROM positions WHERE device_id = $1 AND recorded_at >= '2026-11-05'", [device]);
    expect(stored!.n).toBe(251);
    // The newest fix is the device's last position now, read in the same repo without another scan.
    const last = await gateway.request(`{ device(id: "${device}") { lastPosition { recordedAt } } }`, undefined, { clientClass: 'api' });
    expect(last.data!.device.lastPosition.recordedAt).toBe('2026-11-05T01:00:00.000Z');
    // An older batch does not move it back.
    await record([{ ...fixes[0]!, recordedAt: '2026-11-05T00:30:00Z' }]);
    const still = await gateway.request(`{ device(id: "${device}") { lastPosition { recordedAt } } }`, undefined, { clientClass: 'api' });
    expect(still.data!.device.lastPosition.recordedAt).toBe('2026-11-05T01:00:00.000Z');
  });

  it('refuses more than 10,000 fixes, bad values and other tenants\' devices, storing nothing', async () => {
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ ...fixes[0]!, recordedAt: new Date(Date.UTC(2026, 10, 6) + i * 1000).toISOString() }));
    const big = await record(tooMany);
    expect(big.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'positions' });
    const badHeading = await record([{ ...fixes[0]!, heading: 400 }]);
    expect(badHeading.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'positions[0].heading' });
    const badLatitude = await record([{ ...fixes[0]!, latitude: 123 }]);
    expect(badLatitude.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const globexDevice = await record(fixes.slice(0, 1), '2');
    expect(globexDevice.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'deviceId' });
    const [stored] = await pgRows(telemetryUrl(), "SELECT count(*)::int AS n FROM positions WHERE recorded_at >= '2026-11-05'");
    expect(stored!.n).toBe(0);
  });
});

describe('markInvoicePaid', () => {
  it('is hidden from the other client classes', async () => {
    const response = await gateway.request('mutation { markInvoicePaid(number: "1") { status } }', undefined, { clientClass: 'api' });
    expect(response.errors![0]!.message).toMatch(/Cannot query field "markInvoicePaid"/);
  });

  it('marks an OPEN invoice of the tenant PAID and refuses a VOID one', async () => {
    const [open] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE STAT = 'O' AND CUST_CD LIKE 'AC%' ORDER BY INV_NO DESC LIMIT 1");
    const [voided] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE STAT = 'V' AND CUST_CD LIKE 'AC%' LIMIT 1");
    const [foreign] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE STAT = 'O' AND CUST_CD LIKE 'GX%' LIMIT 1");
    try {
      const paid = await gateway.request(`mutation { markInvoicePaid(number: "${open!.INV_NO}") { number status } }`, undefined, { clientClass: 'admin' });
      expect(paid.data!.markInvoicePaid).toEqual({ number: String(open!.INV_NO), status: 'PAID' });
      const refused = await gateway.request(`mutation { markInvoicePaid(number: "${voided!.INV_NO}") { status } }`, undefined, { clientClass: 'admin' });
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'number' });
      expect(refused.errors![0]!.message).toMatch(/void/);
      const otherTenant = await gateway.request(`mutation { markInvoicePaid(number: "${foreign!.INV_NO}") { status } }`, undefined, { clientClass: 'admin' });
      expect(otherTenant.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'number' });
      const states = await mysqlRows('SELECT INV_NO, STAT FROM INV_HDR WHERE INV_NO IN (?) ORDER BY INV_NO', [[open!.INV_NO, voided!.INV_NO, foreign!.INV_NO]]);
      expect(Object.fromEntries(states.map((s) => [s.INV_NO, s.STAT]))).toEqual({ [open!.INV_NO]: 'P', [voided!.INV_NO]: 'V', [foreign!.INV_NO]: 'O' });
    } finally {
      await mysqlRows("UPDATE INV_HDR SET STAT = 'O' WHERE INV_NO = ?", [open!.INV_NO]);
    }
  });
});

describe('time entries as the api class (no note privilege)', () => {
  const user = 397;
  afterEach(() => pgRows(mainUrl(), 'DELETE FROM time_entries WHERE user_id = $1 AND id >= 10000000', [user]));

  it('starts, updates and stops an entry without touching notes', async () => {
    const options = { clientClass: 'api' as const };
    const start = await gateway.request(`mutation { startTimeEntry(input: { userId: "${user}", projectId: "17" }) { id startedAt } }`, undefined, options);
    expect(start.errors).toBeUndefined();
    const { id } = start.data!.startTimeEntry;
    const update = await gateway.request(`mutation { updateTimeEntry(input: { id: "${id}", startedAt: "2026-11-03T08:00:00Z" }) { startedAt } }`, undefined, options);
    expect(update.data!.updateTimeEntry.startedAt).toBe('2026-11-03T08:00:00.000Z');
    const stop = await gateway.request(`mutation { stopTimeEntry(userId: "${user}", endedAt: "2026-11-03T09:00:00Z") { endedAt } }`, undefined, options);
    expect(stop.data!.stopTimeEntry.endedAt).toBe('2026-11-03T09:00:00.000Z');
    const noted = await gateway.request(`mutation { startTimeEntry(input: { userId: "${user}", projectId: "17", note: "x" }) { id } }`, undefined, options);
    expect(noted.errors![0]!.message).toMatch(/Field "note" is not defined by type "StartTimeEntryInput"/);
  });

  it('answers two concurrent starts for one user with one entry and one BAD_USER_INPUT', async () => {
    const start = () => gateway.request(`mutation { startTimeEntry(input: { userId: "${user}", projectId: "17" }) { id } }`);
    const answers = await Promise.all([start(), start(), start()]);
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    for (const failed of answers.filter((a) => a.errors)) expect(failed.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'userId' });
  });
});
