/**
 * A database per tenant: the token's tenant picks main's database from the registry; telemetry
 * and legacy are shared and filtered by tenant. Unknown or suspended tenants run no query; a
 * tenant added while the gateway runs is served without a restart; pools beyond the configured
 * count are closed least recently used first; and under concurrency nothing crosses tenants.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { setTenantStatus } from '../src/tenancy/tenant-admin.js';
import { mysqlRows, openGateway, pgRows, remoteSubgraphs, stackInfo, testTopology } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const overview = /* GraphQL */ `{
  companies(first: 3) { edges { node { name legacyCustomerCode invoices(status: OPEN) { number } users(first: 2) { edges { node { name devices { serial } } } } } } }
  devices(first: 5) { edges { node { id } } }
}`;

describe('tenant routing', () => {
  it("serves each tenant its own database and only its devices and customers", async () => {
    const acme = await gateway.request(overview, undefined, { tenant: 'acme' });
    const globex = await gateway.request(overview, undefined, { tenant: 'globex' });
    expect(acme.data!.companies.edges[0].node.name).toBe('Müller GmbH');
    expect(globex.data!.companies.edges[0].node.name).toBe('Globex Corporation');
    expect(acme.data!.devices.edges.every((e: any) => Number(e.node.id) % 2 === 1)).toBe(true);
    expect(globex.data!.devices.edges.every((e: any) => Number(e.node.id) % 2 === 0)).toBe(true);
    expect(JSON.stringify(globex.data)).not.toMatch(/"AC0/);
  });

  it("does not reach another tenant's legacy invoice by number", async () => {
    const [globexInvoice] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE CUST_CD LIKE 'GX%' LIMIT 1");
    const query = `{ invoice(number: "${globexInvoice!.INV_NO}") { number company { name } } }`;
    expect((await gateway.request(query, undefined, { tenant: 'acme' })).data).toEqual({ invoice: null });
    expect((await gateway.request(query, undefined, { tenant: 'globex' })).data!.invoice.company.name).toMatch(/./);
  });

  it('refuses an unknown tenant with TENANT_UNKNOWN and runs no query', async () => {
    const response = await gateway.post(overview, undefined, { tenant: 'hooli' });
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'TENANT_UNKNOWN' }) })]);
    expect(body.data).toBeUndefined();
  });

  it('refuses a suspended tenant with TENANT_SUSPENDED within the registry cache time', async () => {
    await setTenantStatus(testTopology(), 'globex', 'suspended');
    try {
      await new Promise((resolve) => setTimeout(resolve, testTopology().tenancy.cacheMs + 50));
      const body = await (await gateway.post(overview, undefined, { tenant: 'globex' })).json();
      expect(body.errors[0].extensions.code).toBe('TENANT_SUSPENDED');
    } finally {
      await setTenantStatus(testTopology(), 'globex', 'active');
    }
  });
});

describe('npm run tenant -- add', () => {
  it('creates, migrates and registers a tenant the running gateway serves at once', async () => {
    const slug = `t${Date.now().toString(36)}`;
    const running = openGateway();
    const before = await running.request('{ companies { edges { cursor } } }', undefined, { tenant: slug });
    expect(before.errors![0]!.extensions!.code).toBe('TENANT_UNKNOWN');
    try {
      const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['dev/cli.ts', 'tenant', 'add', slug, '--pool-size', '2'], { cwd: projectRoot });
      expect(stdout).toContain(`tenant ${slug}: database tenant_${slug} ready`);
      await new Promise((resolve) => setTimeout(resolve, testTopology().tenancy.cacheMs + 50)); // the miss above is cached that long
      const after = await running.request('{ companies { edges { cursor } } }', undefined, { tenant: slug, clientClass: 'api' });
      expect(after).toMatchObject({ data: { companies: { edges: [] } } });
      const [row] = await pgRows(stackInfo().repos.main.registry, 'SELECT database, status, pool_size FROM tenants WHERE slug = $1', [slug]);
      expect(row).toEqual({ database: `tenant_${slug}`, status: 'active', pool_size: 2 });
    } finally {
      await running.close(); // let go of the new database's pools before dropping it
      const admin = new pg.Client({ connectionString: stackInfo().repos.main.registry });
      await admin.connect();
      await admin.query('DELETE FROM tenants WHERE slug = $1', [slug]);
      await admin.query(`DROP DATABASE IF EXISTS "tenant_${slug}" WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
  });
});

describe('isolation under concurrency', () => {
  it('answers 200 interleaved requests of both tenants and all classes with their own rows only', async () => {
    // Pools big enough that every request is answered: this test is about isolation, not saturation.
    const topology = structuredClone(testTopology());
    for (const options of Object.values(topology.classes)) Object.assign(options, { poolSize: 20, acquireTimeoutMs: 10_000 });
    const concurrent = openGateway({ topology });
    try {
      const expected = {
        acme: (await pgRows(stackInfo().repos.main.tenants.acme!, 'SELECT name FROM companies ORDER BY id LIMIT 3')).map((r) => r.name),
        globex: (await pgRows(stackInfo().repos.main.tenants.globex!, 'SELECT name FROM companies ORDER BY id LIMIT 3')).map((r) => r.name),
      };
      const classes = ['interactive', 'api', 'admin'] as const;
      const requests = Array.from({ length: 200 }, (_, i) => {
        const tenant = i % 2 === 0 ? ('acme' as const) : ('globex' as const);
        const clientClass = classes[i % 3]!;
        return concurrent.request(overview, undefined, { tenant, clientClass }).then((response) => ({ tenant, response }));
      });
      const answers = await Promise.all(requests);
      for (const { tenant, response } of answers) {
        expect(response.errors).toBeUndefined();
        expect(response.data!.companies.edges.map((e: any) => e.node.name)).toEqual(expected[tenant]);
        const parity = tenant === 'acme' ? 1 : 0;
        expect(response.data!.devices.edges.every((e: any) => Number(e.node.id) % 2 === parity)).toBe(true);
        const codes = response.data!.companies.edges.map((e: any) => e.node.legacyCustomerCode).filter(Boolean);
        expect(codes.every((code: string) => code.startsWith(tenant === 'acme' ? 'AC' : 'GX'))).toBe(true);
      }
      expect(answers).toHaveLength(200);
    } finally {
      await concurrent.close();
    }
  });

  // A remote main's tenant pools are its service's.
  it.skipIf(Boolean(remoteSubgraphs().main))('keeps at most maxOpenTenants tenant databases open, closing the least recently used', async () => {
    const topology = structuredClone(testTopology());
    topology.tenancy.maxOpenTenants = 1;
    const small = openGateway({ topology });
    try {
      await small.request('{ company(id: "1") { name } }', undefined, { tenant: 'acme' });
      expect(small.registry.openTenantDatabases()).toEqual(['acme']);
      await small.request('{ company(id: "1") { name } }', undefined, { tenant: 'globex' });
      expect(small.registry.openTenantDatabases()).toEqual(['globex']);
      const again = await small.request('{ company(id: "1") { name } }', undefined, { tenant: 'acme' });
      expect(again.data!.company.name).toBe('Müller GmbH'); // reopened lazily
    } finally {
      await small.close();
    }
  });
});
