/** Gateway answers equal direct SQL against the same databases. */
import { afterAll, describe, expect, it } from 'vitest';
import { mainUrl, mysqlRows, openGateway, pgRows, telemetryUrl, type GraphQLResponse } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const iso = (value: Date | string) => new Date(value).toISOString();

describe("a company's users", () => {
  it('lists them in id order, as SQL does, across keyset pages', async () => {
    const expected = await pgRows<{ id: string; name: string; email: string | null }>(
      mainUrl(),
      'SELECT id::text, name, email FROM users WHERE company_id = 3 ORDER BY users.id',
    );
    const page = (after: string | null) =>
      gateway.request(
        `query ($after: String) { company(id: "3") { users(first: 7, after: $after) {
           edges { cursor node { id name email } } pageInfo { hasNextPage endCursor } } } }`,
        { after },
      );
    const seen: unknown[] = [];
    let after: string | null = null;
    for (let n = 0; n < 10; n += 1) {
      const response = await page(after);
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo } = response.data!.company.users;
      seen.push(...edges.map((edge: any) => edge.node));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(expected).toHaveLength(20);
    expect(seen).toEqual(expected);
  });
});

describe("a user's lastPosition", () => {
  it('is the newest fix over all of their devices', async () => {
    const [expected] = await pgRows(
      telemetryUrl(),
      `SELECT p.recorded_at, p.lat, p.lon FROM devices d JOIN positions p ON p.device_id = d.id
       WHERE d.tenant = 'acme' AND d.user_id = 7 ORDER BY p.recorded_at DESC LIMIT 1`,
    );
    const devices = await pgRows(telemetryUrl(), `SELECT id::text FROM devices WHERE tenant = 'acme' AND user_id = 7 ORDER BY devices.id`);
    const response = await gateway.request(
      '{ user(id: "7") { devices { id } lastPosition { recordedAt latitude longitude } } }',
    );
    expect(response.errors).toBeUndefined();
    expect(devices).toHaveLength(2); // users 1–130 carry two devices: the newest fix is a choice
    expect(response.data!.user.devices).toEqual(devices);
    expect(response.data!.user.lastPosition).toEqual({
      recordedAt: iso(expected!.recorded_at),
      latitude: expected!.lat,
      longitude: expected!.lon,
    });
  });

  it('is null, with no devices, for a user who carries none', async () => {
    const response = await gateway.request('{ user(id: "390") { name devices { id } lastPosition { recordedAt } } }');
    expect(response.data!.user).toMatchObject({ devices: [], lastPosition: null });
  });
});

describe('a device track', () => {
  it('holds the fixes between two instants, both bounds inclusive, oldest first', async () => {
    const fixes = await pgRows(
      telemetryUrl(),
      'SELECT recorded_at, lat, lon, speed_kmh, heading FROM positions WHERE device_id = 1 ORDER BY recorded_at LIMIT 21 OFFSET 100',
    );
    const from = iso(fixes[0]!.recorded_at);
    const to = iso(fixes[20]!.recorded_at);
    const response = await gateway.request(
      `query ($from: DateTime!, $to: DateTime!) { device(id: "1") {
         track(from: $from, to: $to) { recordedAt latitude longitude speedKmh heading } } }`,
      { from, to },
    );
    expect(response.errors).toBeUndefined();
    const track = response.data!.device.track;
    expect(track).toHaveLength(21);
    expect(track[0].recordedAt).toBe(from);
    expect(track.at(-1).recordedAt).toBe(to);
    expect(track).toEqual(
      fixes.map((fix) => ({
        recordedAt: iso(fix.recorded_at),
        latitude: fix.lat,
        longitude: fix.lon,
        speedKmh: fix.speed_kmh,
        heading: fix.heading,
      })),
    );
    // The device with its whole track: one statement (join-ahead).
    expect(response.extensions!.repos!.telemetry!.roundTrips).toBe(1);
  });

  it("reads another tenant's device as no device, with its track or without", async () => {
    const [foreign] = await pgRows(telemetryUrl(), "SELECT id::text FROM devices WHERE tenant = 'globex' ORDER BY id LIMIT 1");
    const response = await gateway.request(
      `query ($id: ID!) { device(id: $id) { id track(from: "2026-10-01T00:00:00Z", to: "2026-10-02T00:00:00Z") { recordedAt } } plain: device(id: $id) { id } }`,
      { id: foreign!.id },
    );
    expect(response).toMatchObject({ data: { device: null, plain: null } });
    expect(response.errors).toBeUndefined();
  });

  it('downsamples on the database to at most maxPoints, in order, inside the window', async () => {
    const from = '2026-10-29T00:00:00.000Z';
    const to = '2026-10-30T00:00:00.000Z';
    const response = await gateway.request(
      `{ device(id: "1") { track(from: "${from}", to: "${to}", maxPoints: 24) { recordedAt } } }`,
    );
    const times = response.data!.device.track.map((p: any) => p.recordedAt as string);
    expect(times.length).toBeGreaterThan(20);
    // Downsampled tracks are left to their own statement: the device, then the track.
    expect(response.extensions!.repos!.telemetry!.roundTrips).toBe(2);
    expect(times.length).toBeLessThanOrEqual(24);
    expect([...times].sort()).toEqual(times);
    expect(times.every((t: string) => t >= from && t <= to)).toBe(true);
  });
});

describe('time tracking', () => {
  const window = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' };

  it("returns a user's entries overlapping the window and the seconds inside it", async () => {
    const entries = await pgRows(
      mainUrl(),
      `SELECT id::text FROM time_entries WHERE user_id = 12 AND started_at <= $2 AND coalesce(ended_at, 'infinity') >= $1
       ORDER BY started_at, time_entries.id`,
      [window.from, window.to],
    );
    const [seconds] = await pgRows(
      mainUrl(),
      `SELECT floor(sum(extract(epoch FROM least(ended_at, $2) - greatest(started_at, $1))))::int AS s
       FROM time_entries WHERE user_id = 12 AND started_at <= $2 AND ended_at >= $1`,
      [window.from, window.to],
    );
    const response = await gateway.request(
      `query ($from: DateTime!, $to: DateTime!) { user(id: "12") {
         timeEntries(from: $from, to: $to) { id project { company { id } } }
         trackedSeconds(from: $from, to: $to) } }`,
      window,
    );
    expect(response.errors).toBeUndefined();
    expect(entries.length).toBeGreaterThan(0);
    expect(response.data!.user.timeEntries.map((e: any) => ({ id: e.id }))).toEqual(entries);
    expect(response.data!.user.timeEntries.every((e: any) => e.project.company.id === '12')).toBe(true);
    expect(response.data!.user.trackedSeconds).toBe(seconds!.s);
  });
});

describe('billing from the legacy repo', () => {
  it("sums a company's OPEN invoices into openBalanceCents", async () => {
    const [company] = await pgRows(mainUrl(), `SELECT legacy_customer_code AS code FROM companies WHERE id = 2`);
    const [expected] = await mysqlRows(
      "SELECT CAST(SUM(TOT_AMT) * 100 AS SIGNED) AS cents FROM INV_HDR WHERE STAT = 'O' AND CUST_CD = ?",
      [company!.code],
    );
    const response = await gateway.request('{ company(id: "2") { openBalanceCents invoices(status: OPEN) { totalCents } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data!.company.openBalanceCents).toBe(Number(expected!.cents));
    const sum = response.data!.company.invoices.reduce((total: number, i: any) => total + i.totalCents, 0);
    expect(sum).toBe(Number(expected!.cents));
  });

  it('gives a company without a legacy code no invoices and a zero balance', async () => {
    const response = await gateway.request('{ company(id: "4") { legacyCustomerCode invoices { number } openBalanceCents } }');
    expect(response.data!.company).toEqual({ legacyCustomerCode: null, invoices: [], openBalanceCents: 0 });
  });

  it("returns an invoice's lines and its company", async () => {
    const [invoice] = await mysqlRows("SELECT INV_NO, CUST_CD FROM INV_HDR WHERE CUST_CD LIKE 'AC%' ORDER BY INV_NO LIMIT 1");
    const lines = await mysqlRows(
      `SELECT LINE_NO, DESCR, QTY, CAST(UNIT_PRC * 100 AS SIGNED) AS cents FROM INV_LINE WHERE INV_NO = ? ORDER BY LINE_NO`,
      [invoice!.INV_NO],
    );
    const [company] = await pgRows(mainUrl(), 'SELECT id::text, name FROM companies WHERE legacy_customer_code = $1', [invoice!.CUST_CD]);
    const response = await gateway.request(
      `{ invoice(number: "${invoice!.INV_NO}") { number company { id name legacyCustomerCode }
         lines { lineNo description quantity unitPriceCents } } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.invoice.company).toEqual({ ...company, legacyCustomerCode: invoice!.CUST_CD });
    expect(response.data!.invoice.lines).toEqual(
      lines.map((l) => ({ lineNo: l.LINE_NO, description: l.DESCR, quantity: Number(l.QTY), unitPriceCents: Number(l.cents) })),
    );
  });

  it("reads a company's invoices with their lines in one statement, as the rows are stored", async () => {
    const [company] = await pgRows(mainUrl(), `SELECT legacy_customer_code AS code FROM companies WHERE id = 2`);
    const invoices = await mysqlRows('SELECT INV_NO, CAST(TOT_AMT * 100 AS SIGNED) AS cents FROM INV_HDR WHERE CUST_CD = ? ORDER BY INV_NO', [company!.code]);
    const lines = await mysqlRows(
      `SELECT l.INV_NO, LINE_NO, DESCR, QTY, CAST(UNIT_PRC * 100 AS SIGNED) AS cents
       FROM INV_LINE l JOIN INV_HDR h ON h.INV_NO = l.INV_NO WHERE h.CUST_CD = ? ORDER BY l.INV_NO, LINE_NO`,
      [company!.code],
    );
    const response = await gateway.request('{ company(id: "2") { invoices { number totalCents lines { lineNo description quantity unitPriceCents } } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data!.company.invoices).toEqual(
      invoices.map((invoice) => ({
        number: String(invoice.INV_NO),
        totalCents: Number(invoice.cents),
        lines: lines
          .filter((line) => line.INV_NO === invoice.INV_NO)
          .map((l) => ({ lineNo: l.LINE_NO, description: l.DESCR, quantity: Number(l.QTY), unitPriceCents: Number(l.cents) })),
      })),
    );
    expect(invoices.length).toBeGreaterThan(1);
    expect(response.extensions!.repos!.legacy!.roundTrips).toBe(1);
  });

  it("answers null for the legacy zero date '0000-00-00'", async () => {
    const [zero] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE DUE_DT = '0000-00-00' AND CUST_CD LIKE 'AC%' LIMIT 1");
    const [dated] = await mysqlRows("SELECT INV_NO, DUE_DT FROM INV_HDR WHERE DUE_DT <> '0000-00-00' AND CUST_CD LIKE 'AC%' LIMIT 1");
    const response = await gateway.request(
      `{ zero: invoice(number: "${zero!.INV_NO}") { dueOn issuedOn } dated: invoice(number: "${dated!.INV_NO}") { dueOn } }`,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.zero.dueOn).toBeNull();
    expect(response.data!.zero.issuedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(response.data!.dated.dueOn).toBe(dated!.DUE_DT);
  });

  it('keeps non-ASCII names intact from PostgreSQL and from latin1 MariaDB columns', async () => {
    const customers = await mysqlRows("SELECT CUST_CD AS code, CUST_NM AS name FROM CUST_MASTER WHERE CUST_CD LIKE 'AC%'");
    const response = await gateway.request('{ companies(first: 20) { edges { node { name legacyCustomerCode legacyCustomerName } } } }');
    const companies = response.data!.companies.edges.map((e: any) => e.node);
    expect(companies.map((c: any) => c.name)).toContain('Müller GmbH');
    expect(companies.map((c: any) => c.legacyCustomerName)).toEqual(
      expect.arrayContaining(['Müller GmbH', 'Société Générale de Transport', 'Ørsted Kørsel ApS']),
    );
    for (const company of companies.filter((c: any) => c.legacyCustomerCode)) {
      expect(company.legacyCustomerName).toBe(customers.find((c) => c.code === company.legacyCustomerCode)!.name);
      expect(company.legacyCustomerName).toBe(company.name);
    }
  });
});

describe('legacy codes shorter than CHAR(8)', () => {
  it('match across PostgreSQL (space-padded) and MariaDB (unpadded)', async () => {
    await pgRows(mainUrl(), "INSERT INTO companies (id, name, legacy_customer_code) VALUES (9001, 'Short Code Ltd', 'XY1')");
    // Written behind the gateway's back: read it back past that WAL position (read-your-writes).
    const [{ lsn }] = await pgRows<{ lsn: string }>(mainUrl(), 'SELECT pg_current_wal_insert_lsn()::text AS lsn') as [{ lsn: string }];
    await mysqlRows("INSERT INTO CUST_MASTER VALUES ('XY1', 'Short Code Ltd', '2026-01-01 00:00:00'); INSERT INTO INV_HDR VALUES (99001, 'XY1', '2026-10-01', '2026-10-31', 'O', 12.50)");
    try {
      const response = await gateway.request(
        '{ company(id: "9001") { legacyCustomerCode legacyCustomerName openBalanceCents invoices { number company { id } } } invoice(number: "99001") { company { name } } }',
        undefined,
        { headers: { 'x-repogate-lsn': `main=${lsn}` } },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({
        company: { legacyCustomerCode: 'XY1', legacyCustomerName: 'Short Code Ltd', openBalanceCents: 1250, invoices: [{ number: '99001', company: { id: '9001' } }] },
        invoice: { company: { name: 'Short Code Ltd' } },
      });
    } finally {
      await pgRows(mainUrl(), 'DELETE FROM companies WHERE id = 9001');
      await mysqlRows("DELETE FROM INV_HDR WHERE INV_NO = 99001; DELETE FROM CUST_MASTER WHERE CUST_CD = 'XY1'");
    }
  });
});

describe('positionsInArea', () => {
  const area = { minLatitude: 52.3, minLongitude: 13.1, maxLatitude: 52.7, maxLongitude: 13.7, from: '2026-10-31T10:00:00.000Z', to: '2026-10-31T12:00:00.000Z' };
  const query = `query ($minLatitude: Latitude!, $minLongitude: Longitude!, $maxLatitude: Latitude!, $maxLongitude: Longitude!, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    positionsInArea(minLatitude: $minLatitude, minLongitude: $minLongitude, maxLatitude: $maxLatitude, maxLongitude: $maxLongitude, from: $from, to: $to, first: $first, after: $after) {
      edges { cursor node { device { id } position { recordedAt latitude longitude } } }
      pageInfo { hasNextPage endCursor } } }`;

  it("returns the tenant's fixes in the box and window, by time then device, across keyset pages, as SQL does", async () => {
    const expected = await pgRows(
      telemetryUrl(),
      `SELECT p.device_id::text AS id, p.recorded_at, p.lat, p.lon FROM positions p JOIN devices d ON d.id = p.device_id AND d.tenant = 'acme'
       WHERE p.recorded_at BETWEEN $1 AND $2 AND p.lat BETWEEN $3 AND $4 AND p.lon BETWEEN $5 AND $6
       ORDER BY p.recorded_at, p.device_id`,
      [area.from, area.to, area.minLatitude, area.maxLatitude, area.minLongitude, area.maxLongitude],
    );
    expect(expected.length).toBeGreaterThan(30);
    const seen: unknown[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response: GraphQLResponse = await gateway.request(query, { ...area, first: 25, after });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo }: { edges: any[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = response.data!.positionsInArea;
      seen.push(...edges.map((e: any) => e.node));
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      pages += 1;
    } while (after && pages < 50);
    expect(seen).toEqual(
      expected.map((row) => ({ device: { id: row.id }, position: { recordedAt: iso(row.recorded_at), latitude: row.lat, longitude: row.lon } })),
    );
  });

  it('refuses a window over 24 hours and an inverted box', async () => {
    const wide = await gateway.request(query, { ...area, to: '2026-11-02T00:00:00Z' });
    expect(wide.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'to' });
    const inverted = await gateway.request(query, { ...area, minLatitude: 53 });
    expect(inverted.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'minLatitude' });
  });
});
