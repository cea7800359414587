/**
 * Each subgraph is a standalone executable schema over its own repo, and no subgraph imports
 * another: they could run as separate services with the same SDL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { graphql } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { RepoRegistry } from '../src/repo/registry.js';
import { RequestRepo } from '../src/repo/request-repo.js';
import { subgraphSchema, type AnySubgraph } from '../src/subgraph-kit/subgraph.js';
import { legacySubgraph } from '../subgraphs/legacy/index.js';
import { mainSubgraph } from '../subgraphs/main/index.js';
import { telemetrySubgraph } from '../subgraphs/telemetry/index.js';
import { mysqlRows, testTopology } from './support.js';

const registry = new RepoRegistry(testTopology());
afterAll(() => registry.close());

/** Runs `source` against the subgraph's own schema, as the admin class on acme's database. */
async function runAlone(subgraph: AnySubgraph, source: string) {
  const route = { clientClass: 'admin' as const, ...(subgraph.name === 'main' && { database: 'acme' }) };
  const repo = new RequestRepo(registry, subgraph.name, route, { mode: 'query', minLsn: {} });
  const facts = { customerCodes: async () => new Set(['AC000001']), archive: async () => null };
  const settings = (testTopology() as unknown as Record<string, unknown>)[subgraph.name];
  const contextValue = {
    tenant: 'acme',
    [subgraph.name]: subgraph.createContext({ repo, tenant: 'acme', clientClass: 'admin', canSee: () => true, facts, settings }),
  };
  const result = await graphql({ schema: subgraphSchema(subgraph), source, contextValue });
  return { ...result, roundTrips: repo.usage.roundTrips };
}

describe('standalone subgraphs', () => {
  it('main answers on its own', async () => {
    const result = await runAlone(mainSubgraph, '{ companies(first: 2) { edges { node { name users(first: 2) { edges { node { id } } } } } } }');
    expect(result.errors).toBeUndefined();
    expect((result.data as any).companies.edges).toHaveLength(2);
    // the companies with their users: one statement (joined)
    expect(result.roundTrips).toBe(1);
  });

  it('telemetry answers on its own, for the tenant it is given', async () => {
    const result = await runAlone(telemetrySubgraph, '{ devices(first: 3) { edges { node { serial user { id } lastPosition { recordedAt } } } } }');
    expect(result.errors).toBeUndefined();
    const devices = (result.data as any).devices.edges.map((e: any) => e.node);
    expect(devices.map((d: any) => d.serial)).toEqual(['GPS-000001', 'GPS-000003', 'GPS-000005']); // acme has the odd ids
    expect(devices.every((d: any) => d.lastPosition !== null)).toBe(true);
    expect(result.roundTrips).toBe(1);
  });

  it('legacy answers on its own', async () => {
    const [invoice] = await mysqlRows("SELECT INV_NO FROM INV_HDR WHERE CUST_CD = 'AC000001' LIMIT 1");
    const result = await runAlone(legacySubgraph, `{ invoice(number: "${invoice!.INV_NO}") { number status lines { lineNo } company { legacyCustomerCode } } }`);
    expect(result.errors).toBeUndefined();
    expect((result.data as any).invoice.lines).toHaveLength(4);
  });

  it('never import one another', () => {
    for (const name of ['main', 'telemetry', 'legacy']) {
      const dir = path.join(projectRoot, 'subgraphs', name);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        const source = readFileSync(path.join(dir, file), 'utf8');
        const others = ['main', 'telemetry', 'legacy'].filter((other) => other !== name);
        for (const other of others) expect(source, `${name}/${file}`).not.toMatch(new RegExp(`from '\\.\\./${other}/`));
      }
    }
  });
});
