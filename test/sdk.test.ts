/**
 * Services call Repogate through the typed SDK: every cross-repo relation of DOMAIN.md through
 * the live gateway over HTTP, answers compared with direct SQL, errors as RepogateError with
 * their code and path, partial data kept next to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, RepogateError, type RepogateSdk } from '../src/sdk/client.js';
import { legacyServer } from '../dev/stack/stack.js';
import { extraMainTrips, listen, mainUrl, mysqlRows, openGateway, pgRows, restoreLastPositions, telemetryUrl, tokenFor } from './support.js';

const gateway = openGateway();
let http: Awaited<ReturnType<typeof listen>>;
let repogate: RepogateSdk;

beforeAll(async () => {
  http = await listen(gateway.gateway);
  repogate = createClient({ url: `${http.url}/graphql`, token: await tokenFor('interactive'), headers: { 'x-repogate-debug': '1' } });
});
afterAll(async () => {
  await http.close();
  await gateway.close();
});

describe('the SDK over the live gateway', () => {
  it('pages through companies and reads one with its users, projects and invoices', async () => {
    const first = await repogate.CompanyPage({ first: 15 });
    const rest = await repogate.CompanyPage({ first: 15, after: first.data!.companies.pageInfo.endCursor });
    const names = [...first.data!.companies.edges, ...rest.data!.companies.edges].map((e) => e.node.name);
    const expected = await pgRows(mainUrl(), 'SELECT name FROM companies ORDER BY id');
    expect(names).toEqual(expected.map((row) => row.name));
    expect(rest.data!.companies.pageInfo.hasNextPage).toBe(false);

    const { data, errors } = await repogate.Company({ id: '1', usersFirst: 5, invoiceStatus: 'PAID' });
    expect(errors).toEqual([]);
    expect(data!.company!.users.edges).toHaveLength(5);
    expect(data!.company!.projects.length).toBeGreaterThan(0);
    expect(data!.company!.invoices!.every((invoice) => invoice.status === 'PAID')).toBe(true);
    expect(data!.company!.legacyCustomerName).toBe('Müller GmbH');
  });

  it('resolves every cross-repo relation: User→devices/lastPosition, Device→user, Invoice→company', async () => {
    const user = await repogate.User({ id: '5', from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' });
    expect(user.errors).toEqual([]);
    expect(user.data!.user!.devices!.map((d) => d.serial)).toEqual(['GPS-000009', 'GPS-000729']);
    expect(user.data!.user!.lastPosition).not.toBeNull();
    expect(user.data!.user!.trackedSeconds).toBeGreaterThan(0);

    const device = await repogate.Device({ id: '9', from: '2026-10-31T00:00:00Z', to: '2026-10-31T06:00:00Z', maxPoints: 12 });
    expect(device.data!.device!.user).toMatchObject({ id: '5', name: user.data!.user!.name, company: { id: user.data!.user!.company.id } });
    expect(device.data!.device!.track.length).toBeLessThanOrEqual(12);

    const [invoice] = await mysqlRows("SELECT INV_NO, CUST_CD FROM INV_HDR WHERE CUST_CD LIKE 'AC%' ORDER BY INV_NO DESC LIMIT 1");
    const billed = await repogate.Invoice({ number: String(invoice!.INV_NO) });
    expect(billed.data!.invoice!.company!.legacyCustomerCode).toBe(invoice!.CUST_CD);

    const users = await repogate.Users({ ids: ['1', '2', 'nobody'] });
    expect(users.data!.users.map((u) => u?.company.id ?? null)).toEqual(['1', '2', null]);
    const devices = await repogate.DevicePage({ first: 3 });
    expect(devices.data!.devices.edges.map((e) => e.node.serial)).toEqual(['GPS-000001', 'GPS-000003', 'GPS-000005']);

    const dashboard = await repogate.CompanyDashboard({ companies: 20 });
    // main: the companies with their users, one statement; legacy: the customers' open balances
    // and the invoices, both at the company level.
    expect(dashboard.extensions).toMatchObject({ repos: { main: { roundTrips: 1 + extraMainTrips.legacyLookup() }, telemetry: { roundTrips: 1 }, legacy: { roundTrips: 2 } } });
  });

  it('returns a bad argument as a RepogateError with its code, argument and path', async () => {
    const { data, errors } = await repogate.Company({ id: '1', usersFirst: 501 });
    expect(data).toEqual({ company: null });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RepogateError);
    expect(errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first', path: ['company', 'users'] });
  });

  it('keeps the partial data next to REPO_UNAVAILABLE errors when legacy is down', async () => {
    const legacy = legacyServer();
    await legacy.stop();
    try {
      const { data, errors } = await repogate.CompanyDashboard({ companies: 2, users: 2 });
      const companies = data!.companies.edges.map((e) => e.node);
      expect(companies.map((c) => c.name)).toHaveLength(2);
      expect(companies.every((c) => c.invoices === null && c.users.edges.length === 2)).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.code === 'REPO_UNAVAILABLE' && e.repo === 'legacy')).toBe(true);
      expect(errors.map((e) => e.path?.join('.'))).toContain('companies.edges.1.node.invoices');
    } finally {
      await legacy.start();
    }
  });

  it('throws NETWORK_ERROR only when no GraphQL answer came back', async () => {
    const offline = createClient({ url: 'http://127.0.0.1:9/graphql' });
    await expect(offline.CompanyPage()).rejects.toMatchObject({ name: 'RepogateError', code: 'NETWORK_ERROR' });
  });
});

describe('mutations through the SDK', () => {
  it('record positions as api (idempotently) and refuse a void invoice as admin', async () => {
    const api = createClient({ url: `${http.url}/graphql`, token: await tokenFor('api') });
    const positions = [{ recordedAt: '2026-11-07T00:00:00Z', latitude: 52.5, longitude: 13.4 }];
    try {
      expect((await api.RecordPositions({ deviceId: '997', positions })).data).toEqual({ recordPositions: { inserted: 1, duplicates: 0 } });
      expect((await api.RecordPositions({ deviceId: '997', positions })).data).toEqual({ recordPositions: { inserted: 0, duplicates: 1 } });
    } finally {
      await pgRows(telemetryUrl(), "DELETE FROM positions WHERE device_id = 997 AND recorded_at = '2026-11-07T00:00:00Z'");
      await restoreLastPositions([997]);
    }
    const admin = createClient({ url: `${http.url}/graphql`, token: await tokenFor('admin') });
    const [voided] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE STAT = 'V' AND CUST_CD LIKE 'AC%' LIMIT 1");
    const refused = await admin.MarkInvoicePaid({ number: String(voided!.INV_NO) });
    expect(refused.data).toBeNull();
    expect(refused.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'number' });
  });
});

describe('examples/service.ts', () => {
  it('runs end to end against the gateway with npx tsx', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { projectRoot } = await import('../src/config.js');
    const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['examples/service.ts'], {
      cwd: projectRoot,
      env: { ...process.env, REPOGATE_URL: `${http.url}/graphql`, REPOGATE_TOKEN: await tokenFor('api') },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^Müller GmbH: \d+\/20 users on the road, open balance €[\d,.]+$/);
  });
});
