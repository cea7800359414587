/**
 * At start-up the gateway checks that every field a client class can reach is covered by that
 * class's role, and refuses to start with a list of the gaps.
 */
import { describe, expect, it } from 'vitest';
import { buildClassSchemas } from '../src/gateway/class-schemas.js';
import { findGrantExposures, findGrantGaps } from '../src/gateway/check-grants.js';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import type { AnySubgraph } from '../src/subgraph-kit/subgraph.js';
import { subgraphsFor } from '../src/subgraphs.js';
import { mainUrl, openGateway, pgRows, testTopology, type TestGateway } from './support.js';

// The stack's subgraphs: its topology lets admin see training too.
const stackSubgraphs = subgraphsFor(testTopology());

describe('the start-up grant check', () => {
  it('finds no gap in the stack as provisioned', async () => {
    const gateway = openGateway();
    try {
      await expect(gateway.checkGrants()).resolves.toBeUndefined();
    } finally {
      await gateway.close();
    }
  });

  it('lists a gap when a role loses a privilege its schema needs, and refuses to start', async () => {
    await pgRows(mainUrl(), 'REVOKE SELECT ON projects FROM repogate_api');
    const gateway = openGateway();
    try {
      const gaps = await findGrantGaps(gateway.registry, stackSubgraphs, buildClassSchemas(buildGatewaySchema(stackSubgraphs), stackSubgraphs), ['acme']);
      expect(gaps).toEqual([
        { clientClass: 'api', repo: 'main', database: 'acme', column: 'projects.company_id', fields: ['Company.projects', 'Project.company'] },
        { clientClass: 'api', repo: 'main', database: 'acme', column: 'projects.id', fields: ['Company.projects', 'Project.id', 'Mutation.startTimeEntry'] },
        { clientClass: 'api', repo: 'main', database: 'acme', column: 'projects.name', fields: ['Company.projects', 'Project.name'] },
      ]);
      await expect(gateway.checkGrants()).rejects.toThrow(/api: main\/acme may not SELECT projects\.name \(needed by Company\.projects, Project\.name\)/);
    } finally {
      await pgRows(mainUrl(), 'GRANT SELECT ON projects TO repogate_api');
      await gateway.close();
    }
  });
});

describe('the ml class outside training', () => {
  it('is an exposure the moment its role may read an active table, and the gateway refuses to start', async () => {
    await pgRows(mainUrl(), 'GRANT SELECT ON companies TO repogate_ml');
    const gateway = openGateway();
    try {
      const exposures = await findGrantExposures(gateway.registry, stackSubgraphs, ['acme']);
      expect(exposures.filter((exposure) => exposure.clientClass === 'ml')).toEqual([
        expect.objectContaining({ clientClass: 'ml', repo: 'main', database: 'acme', column: 'companies.created_at' }),
        expect.objectContaining({ clientClass: 'ml', repo: 'main', database: 'acme', column: 'companies.id' }),
        expect.objectContaining({ clientClass: 'ml', repo: 'main', database: 'acme', column: 'companies.legacy_customer_code' }),
        expect.objectContaining({ clientClass: 'ml', repo: 'main', database: 'acme', column: 'companies.name' }),
      ]);
      await expect(gateway.checkGrants()).rejects.toThrow(/ml: main\/acme may SELECT companies\.name/);
    } finally {
      await pgRows(mainUrl(), 'REVOKE SELECT ON companies FROM repogate_ml');
      await gateway.close();
    }
  });
});

describe('hiding one more field from a class', () => {
  // Company.createdAt hidden from api: one declaration in main's fields…
  const main = stackSubgraphs.find((subgraph) => subgraph.name === 'main')!;
  const hiding = { ...main, fields: { ...main.fields, 'Company.createdAt': { ...main.fields['Company.createdAt'], hiddenFrom: ['api' as const] } } };
  const subgraphs = stackSubgraphs.map((subgraph) => (subgraph === main ? hiding : subgraph));
  // …and its REVOKE.
  const revoke = 'REVOKE SELECT ON companies FROM repogate_api; GRANT SELECT (id, name, legacy_customer_code) ON companies TO repogate_api';
  const restore = 'REVOKE SELECT (id, name, legacy_customer_code) ON companies FROM repogate_api; GRANT SELECT ON companies TO repogate_api';
  const check = async (gateway: TestGateway, parts: readonly AnySubgraph[]) => ({
    gaps: await findGrantGaps(gateway.registry, parts, buildClassSchemas(buildGatewaySchema(parts), parts), ['acme']),
    exposures: await findGrantExposures(gateway.registry, parts, ['acme']),
  });

  it('with the declaration but not the REVOKE: the role may still read it, and the check says so', async () => {
    const gateway = openGateway({ subgraphs });
    try {
      expect(await check(gateway, subgraphs)).toEqual({
        gaps: [],
        exposures: [{ clientClass: 'api', repo: 'main', database: 'acme', column: 'companies.created_at', fields: ['Company.createdAt'] }],
      });
    } finally {
      await gateway.close();
    }
  });

  it('with the REVOKE but not the declaration: the schema shows what the role may not read, and the check says so', async () => {
    await pgRows(mainUrl(), revoke);
    const gateway = openGateway();
    try {
      expect(await check(gateway, stackSubgraphs)).toEqual({
        gaps: [{ clientClass: 'api', repo: 'main', database: 'acme', column: 'companies.created_at', fields: ['Company.createdAt'] }],
        exposures: [],
      });
    } finally {
      await pgRows(mainUrl(), restore);
      await gateway.close();
    }
  });

  it('with both: the check passes, api reads companies without the column, and cannot ask for the field', async () => {
    await pgRows(mainUrl(), revoke);
    const gateway = openGateway({ subgraphs });
    try {
      expect(await check(gateway, subgraphs)).toEqual({ gaps: [], exposures: [] });
      const page = await gateway.request('{ companies(first: 2) { edges { node { name } } } }', undefined, { clientClass: 'api' });
      expect(page).toMatchObject({ data: { companies: { edges: [{ node: { name: 'Müller GmbH' } }, { node: {} }] } } });
      expect(page.errors).toBeUndefined();
      const asked = await gateway.request('{ companies(first: 2) { edges { node { createdAt } } } }', undefined, { clientClass: 'api' });
      expect(asked.errors![0]!.message).toMatch(/Cannot query field "createdAt" on type "Company"/);
      // The other classes still read it.
      expect((await gateway.request('{ company(id: "1") { createdAt } }')).data!.company.createdAt).toEqual(expect.any(String));
    } finally {
      await pgRows(mainUrl(), restore);
      await gateway.close();
    }
  });
});
