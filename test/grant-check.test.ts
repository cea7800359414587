/**
 * At start-up the gateway checks that every field a client class can reach is covered by that
 * class's role, and refuses to start with a list of the gaps.
 */
import { describe, expect, it } from 'vitest';
import { buildClassSchemas } from '../src/gateway/class-schemas.js';
import { findGrantGaps } from '../src/gateway/check-grants.js';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { mainUrl, openGateway, pgRows } from './support.js';

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
      const gaps = await findGrantGaps(gateway.registry, builtInSubgraphs, buildClassSchemas(buildGatewaySchema()), ['acme']);
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
